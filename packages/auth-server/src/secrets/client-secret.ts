import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

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

/** Compares a presented secret with a stored hash in constant time. */
export function verifyClientSecret(presented: string, storedHash: string): boolean {
  if (!storedHash.startsWith(PREFIX)) return false;
  const expected = Buffer.from(storedHash.slice(PREFIX.length), 'base64url');
  const actual = createHash('sha256').update(presented, 'utf8').digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
