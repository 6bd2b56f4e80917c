import { createHash, randomBytes } from 'node:crypto';
import { createFactorsRepository, type Database } from '@portcullis/storage';

// How many recovery codes a user gets at once.
const RECOVERY_CODES = 10;

/** A recovery code as typed: letters and digits only, any case; separators are ignored. */
export const normalizeRecoveryCode = (code: string) => code.replace(/[\s-]/g, '').toLowerCase();

// Recovery codes are random (80 bits each), so a plain SHA-256 digest is enough at rest, as for
// the provider's artifacts: a digest leaked with the database is no usable code.
/** The digest a recovery code is stored and looked up under. */
export const recoveryCodeDigest = (code: string) =>
  createHash('sha256').update(normalizeRecoveryCode(code)).digest('base64url');

// 16 characters of the base32 alphabet in four groups: easy to read out and type.
function newRecoveryCode(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(16);
  const chars = [...bytes].map((b) => alphabet[b % 32]).join('');
  return chars.match(/.{4}/g)?.join('-') ?? chars;
}

/**
 * Gives the user ten new recovery codes in `trx` (the transaction that enrols a factor), in
 * place of any old ones, stored only as digests; returns them, to be shown once.
 *
 * @example
 * const codes = await issueRecoveryCodes(trx, user.id); // ['abcd-efgh-ijkl-mnop', ...]
 */
export async function issueRecoveryCodes(trx: Database, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
  await createFactorsRepository(trx).replaceRecoveryCodes(userId, codes.map(recoveryCodeDigest));
  return codes;
}
