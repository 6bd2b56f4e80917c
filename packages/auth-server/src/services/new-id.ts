import { randomBytes } from 'node:crypto';

/**
 * A new identifier for a client, user or grant: 16 random bytes, base64url, drawn again while it
 * starts with `-`, since such an id would read as an option in `portcullis clients show <id>` or
 * `portcullis grants revoke <id>` (oidc-provider's own grant ids, nanoid, start with `-` once in
 * 64, which is why grants take theirs from here). Dropping 1 in 64 draws keeps the rest uniform.
 *
 * @example
 * const grant = new provider.Grant({ jti: newId(), accountId, clientId });
 */
export function newId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
