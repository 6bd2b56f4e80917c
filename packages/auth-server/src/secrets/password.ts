import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Argon2 from '@node-rs/argon2';

// argon2's native addon is loaded on the first hash, not with this module: the CLI's commands
// that never hash a password (`clients list`) reach this file through the services' entry and
// should not pay for it at start-up. `require`, because `needsRehash` is synchronous.
let argon2: typeof Argon2 | undefined;
const loadArgon2 = (): typeof Argon2 => {
  argon2 ??= createRequire(import.meta.url)('@node-rs/argon2') as typeof Argon2;
  return argon2;
};

// OWASP Password Storage Cheat Sheet: argon2id with 19 MiB of memory, 2 passes, 1 lane. About
// 35 ms per hash on a current server core: slow for an attacker with a stolen table, fast
// enough for a login. `algorithm: 2` is Argon2id; the library's enum is a `const enum`, which
// type stripping cannot inline.
const PARAMETERS = {
  algorithm: 2,
  version: 1, // 0x13, the current Argon2 version
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
} as const;

// NIST SP 800-63B: passwords are compared after Unicode normalization, so the same password
// typed on two keyboards (composed or decomposed accents, full-width digits) still matches.
const normalize = (password: string): string => password.normalize('NFKC');

/**
 * Hashes a password with argon2id at the current parameters; the result is a PHC string such as
 * `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` with a fresh 16-byte salt.
 */
export function hashPassword(password: string): Promise<string> {
  return loadArgon2().hash(normalize(password), PARAMETERS);
}

/**
 * The stored password of a user who has none: one an identity provider created just in time,
 * who signs in through it. Not a PHC string, so no password ever matches it (a sign-in with one
 * costs what a wrong password costs); a password reset or `users set-password` gives them one.
 */
export const NO_PASSWORD = '!none';

/**
 * Whether a stored password hash is a password the user can sign in with: false only for
 * {@link NO_PASSWORD}. Users created just in time before it existed hold a random password
 * nobody knows, and count as having one.
 */
export function hasPassword(passwordHash: string): boolean {
  return passwordHash !== NO_PASSWORD;
}

let verifications = 0;

/** How many password verifications this process has run (each costs one argon2id hash). */
export function passwordVerifications(): number {
  return verifications;
}

/**
 * True when `password` matches `passwordHash`. A malformed or foreign hash is a mismatch, never
 * an exception, so one corrupt row cannot turn a login into a 500.
 */
export async function verifyPassword(password: string, passwordHash: string): Promise<boolean> {
  if (passwordHash === NO_PASSWORD) return verifyAgainstDummy(password);
  verifications += 1;
  try {
    return await loadArgon2().verify(passwordHash, normalize(password));
  } catch {
    return false;
  }
}

/**
 * True when `passwordHash` was not made with the current parameters (or cannot be parsed), so it
 * should be replaced by a fresh hash the next time the password is known, at login.
 */
export function needsRehash(passwordHash: string): boolean {
  try {
    const used = loadArgon2().parseOptions(passwordHash);
    return (
      used.algorithm !== PARAMETERS.algorithm ||
      used.version !== PARAMETERS.version ||
      used.memoryCost !== PARAMETERS.memoryCost ||
      used.timeCost !== PARAMETERS.timeCost ||
      used.parallelism !== PARAMETERS.parallelism ||
      used.outputLen !== PARAMETERS.outputLen ||
      used.saltLen < 16
    );
  } catch {
    return true;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Runs one verification against a fixed dummy hash and resolves to false. Call it when the
 * username is unknown, so that a login for a missing account takes as long as one with a wrong
 * password and response times do not reveal which usernames exist. The dummy hash is made once,
 * on first use, at the current parameters, so it costs exactly what a real verification costs.
 */
export async function verifyAgainstDummy(password = ''): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(32).toString('base64url')).catch((error: unknown) => {
    dummyHash = undefined;
    throw error;
  });
  await verifyPassword(password, await dummyHash);
  return false;
}
