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
 * The raw digest inside a stored hash, or undefined for a hash in an unknown form. Decode once
 * (when a client is cached), compare many times with {@link matchesDigest}.
 *
 * @example
 * const digest = storedDigest(record.secretHash);
 */
export function storedDigest(storedHash: string): Buffer | undefined {
  if (!storedHash.startsWith(PREFIX)) return undefined;
  const digest = Buffer.from(storedHash.slice(PREFIX.length), 'base64url');
  return digest.length === 32 ? digest : undefined;
}

/** The SHA-256 digest of a presented secret: compute it once per request. */
export function digestClientSecret(presented: string): Buffer {
  // The one-shot digest: no Hash object per token request.
  return hash('sha256', presented, 'buffer');
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
