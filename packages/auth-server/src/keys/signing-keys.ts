import type { KeysRepository, NewSigningKey, SigningKeyRecord } from '@portcullis/storage';
import type { JWK } from 'jose';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../domain/signing-algorithms.ts';
import { decryptPrivateKey, encryptPrivateKey } from './key-encryption.ts';

export { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../domain/signing-algorithms.ts';

/** A private signing JWK ready for oidc-provider's `jwks`. */
export type PrivateJwk = JWK & { kid: string; alg: string; use: 'sig' };

/**
 * Generates a signing key for `alg`; its kid is the RFC 7638 thumbprint of the public key, and
 * its private part is encrypted under `kek` with the kid bound as associated data.
 *
 * @example
 * const key = await generateSigningKey('ES256', config.keyEncryptionKey);
 * await keys.stage([key], { activatesInSeconds: 3600, actor: 'cli:alice' });
 */
export async function generateSigningKey(
  alg: SigningAlgorithm,
  kek: Buffer,
): Promise<NewSigningKey> {
  // jose is loaded by the commands that make a key, not by every one that reaches this module.
  const { calculateJwkThumbprint, exportJWK, generateKeyPair } = await import('jose');
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  return {
    kid,
    alg,
    publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
    privateJwkEncrypted: encryptPrivateKey(JSON.stringify(privateJwk), kek, kid),
  };
}

/** Decrypts one stored key; throws when `kek` is not the key it was stored with. */
export function decryptSigningKey(key: SigningKeyRecord, kek: Buffer): PrivateJwk {
  return JSON.parse(decryptPrivateKey(key.privateJwkEncrypted, kek, key.kid)) as PrivateJwk;
}

/**
 * Makes sure the active keys exist, creating one per algorithm on the very first start (under a
 * database lock, so replicas starting together agree). Returns the active keys' records.
 */
export async function ensureActiveKeys(
  keys: KeysRepository,
  kek: Buffer,
): Promise<SigningKeyRecord[]> {
  return keys.ensureActive(() =>
    Promise.all(SIGNING_ALGORITHMS.map((alg) => generateSigningKey(alg, kek))),
  );
}

/**
 * Loads the active signing keys, creating one per algorithm on the very first start, and
 * decrypts their private parts.
 */
export async function loadSigningKeys(keys: KeysRepository, kek: Buffer): Promise<PrivateJwk[]> {
  return (await ensureActiveKeys(keys, kek)).map((key) => decryptSigningKey(key, kek));
}

const ORDER: Record<string, number> = { active: 0, next: 1, retired: 2 };

/**
 * The key set for oidc-provider's `jwks`: every published key (next, active and retired), the
 * active ones first. oidc-provider publishes all of them in its JWKS and verifies with any, but
 * signs with the first key of an algorithm; `key_ops: ['verify']` on the others keeps them out of
 * its choice of a signing key even without relying on that order.
 */
export function providerKeySet(records: readonly SigningKeyRecord[], kek: Buffer): PrivateJwk[] {
  return [...records]
    .sort((a, b) => (ORDER[a.state] ?? 3) - (ORDER[b.state] ?? 3) || a.alg.localeCompare(b.alg))
    .map((record) => {
      const jwk = decryptSigningKey(record, kek);
      return record.state === 'active' ? jwk : { ...jwk, key_ops: ['verify'] };
    });
}
