import { randomBytes } from 'node:crypto';

/** The authorization server's secrets, as the environment carries them. */
export interface ServerSecrets {
  /** `PORTCULLIS_COOKIE_KEYS`, split at its commas: the first signs, all verify. */
  cookieKeys: string[];
  /** `PORTCULLIS_KEY_ENCRYPTION_KEY`: base64url of 32 bytes. */
  keyEncryptionKey: string;
}

/**
 * New secrets in the forms `loadServerConfig` accepts: one cookie key and a key-encryption key,
 * each base64url of 32 random bytes (256 bits; 43 characters, where a cookie key needs 32, and
 * no comma, which separates cookie keys). `dev` makes its development secrets with it, and
 * `portcullis secrets generate` the production ones.
 *
 * @example
 * const { cookieKeys, keyEncryptionKey } = generateServerSecrets();
 */
export function generateServerSecrets(): ServerSecrets {
  return {
    cookieKeys: [randomBytes(32).toString('base64url')],
    keyEncryptionKey: randomBytes(32).toString('base64url'),
  };
}
