import { createHash, hash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256$';

/**
 * A new client secret: 256 random bits, base64url. Shown once to the operator; only its hash is
 * stored.
 */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Hashes a client secret for storage. The secret is 256 random bits, so a single SHA-256 is as
 * strong as a slow password hash would be, and it keeps client authentication cheap on the hot
 * token path (a slow KDF there would cap issuance at a few hundred per second).
 */
export function hashClientSecret(secret: string): string {
  return PREFIX + createHash('sha256').update(secret, 'utf8').digest('base64url');
}

/**
 * The digest inside a stored hash, in the form {@link digestClientSecret} gives (the base64url
 * text of the SHA-256, as bytes), or undefined for a hash in an unknown form. Decode once (when a
 * client is cached), compare many times with {@link matchesDigest}.
 *
 * @example
 * const digest = storedDigest(record.secretHash);
 */
export function storedDigest(storedHash: string): Buffer | undefined {
  if (!storedHash.startsWith(PREFIX)) return undefined;
  const digest = Buffer.from(storedHash.slice(PREFIX.length), 'base64url');
  // Re-encoded, so a stored hash written in a non-canonical base64url still compares equal.
  return digest.length === 32 ? Buffer.from(digest.toString('base64url'), 'latin1') : undefined;
}

/**
 * The digest of a presented secret, to compare with {@link storedDigest}'s: compute it once per
 * request. The SHA-256 as base64url text costs a quarter of the same digest as a Buffer (Node's
 * one-shot `hash` builds a Buffer slowly), and compares just as well in constant time.
 */
export function digestClientSecret(presented: string): Buffer {
  return Buffer.from(hash('sha256', presented, 'base64url'), 'latin1');
}

/** Compares two digests in constant time. */
export function matchesDigest(presented: Buffer, stored: Buffer | undefined): boolean {
  return (
    stored !== undefined && stored.length === presented.length && timingSafeEqual(stored, presented)
  );
}

/**
 * Compares a presented secret with a stored hash in constant time.
 *
 * @example
 * verifyClientSecret(presented, 'sha256$...'); // true or false
 */
export function verifyClientSecret(presented: string, storedHash: string): boolean {
  return matchesDigest(digestClientSecret(presented), storedDigest(storedHash));
}
