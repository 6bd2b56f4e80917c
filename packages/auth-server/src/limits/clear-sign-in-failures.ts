import { createRateLimitsRepository, type Database } from '@portcullis/storage';
import { createLimitKeys } from './limit-keys.ts';

/** The name the per-username sign-in counter is kept under (its rows are `signin:<key>`). */
export const SIGN_IN_ACCOUNT_COUNTER = 'signin';

/**
 * The `rate_limits` row that counts `username`'s failed sign-ins on servers whose key-encryption
 * key is `keySecret` (usernames are kept only as a keyed hash).
 *
 * @example
 * await createRateLimitsRepository(db).delete(signInFailuresKey(keyEncryptionKey, 'alice'));
 */
export function signInFailuresKey(keySecret: Buffer, username: string): string {
  return `${SIGN_IN_ACCOUNT_COUNTER}:${createLimitKeys(keySecret).account(username)}`;
}

/**
 * Forgets the failed sign-ins counted for `username`, and with them its lockout, on every replica
 * at once (sign-in counters are read from PostgreSQL on every attempt). The row is found by the
 * same keyed hash the servers count under, so `keySecret` must be the servers'
 * key-encryption key. Resolves with the number of failures that were still counting (0 when
 * none were). The address counters are left as they are.
 *
 * @example
 * const cleared = await clearSignInFailures(db, keyEncryptionKey, 'alice');
 */
export async function clearSignInFailures(
  db: Database,
  keySecret: Buffer,
  username: string,
): Promise<number> {
  const counter = await createRateLimitsRepository(db).delete(
    signInFailuresKey(keySecret, username),
  );
  if (!counter) return 0;
  // A row past its window counts nothing any more (the servers sweep those later).
  const live = counter.expiresAt === null || counter.expiresAt > Date.now();
  return live ? counter.points : 0;
}
