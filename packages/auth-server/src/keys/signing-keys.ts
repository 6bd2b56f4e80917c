import type { KeysRepository } from '@portcullis/storage';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { decryptPrivateKey, encryptPrivateKey } from './key-encryption.ts';

/** The algorithms we sign with: ES256 for access tokens, RS256 for ID tokens' baseline. */
export const SIGNING_ALGORITHMS = ['ES256', 'RS256'] as const;

/** A private signing JWK ready for oidc-provider's `jwks`. */
export type PrivateJwk = JWK & { kid: string; alg: string; use: 'sig' };

/**
 * Loads the active signing keys, creating one per algorithm on the very first start (under a
 * database lock, so replicas starting together agree), and decrypts their private parts.
 */
export async function loadSigningKeys(keys: KeysRepository, kek: Buffer): Promise<PrivateJwk[]> {
  const active = await keys.ensureActive(async () =>
    Promise.all(
      SIGNING_ALGORITHMS.map(async (alg) => {
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
      }),
    ),
  );
  return active.map(
    (key) => JSON.parse(decryptPrivateKey(key.privateJwkEncrypted, kek, key.kid)) as PrivateJwk,
  );
}
