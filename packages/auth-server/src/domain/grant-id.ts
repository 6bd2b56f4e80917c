import { randomBytes } from 'node:crypto';

/**
 * The id of a new grant: 16 random bytes, base64url, drawn again while it starts with `-`.
 * oidc-provider's own ids (nanoid) start with `-` once in 64, and such an id reads as an option
 * in `portcullis grants revoke <id>`; dropping those draws keeps the rest uniform.
 *
 * @example
 * const grant = new provider.Grant({ jti: newGrantId(), accountId, clientId });
 */
export function newGrantId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
