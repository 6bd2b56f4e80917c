import { randomBytes } from 'node:crypto';

/**
 * A new identifier for a client or user: 16 random bytes, base64url, drawn again while it starts
 * with `-`, since such an id would read as an option in `portcullis clients show <id>`. Dropping
 * 1 in 64 draws keeps the rest uniform.
 */
export function newId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
