import { generateKeyPairSync, hash, randomUUID } from 'node:crypto';
import { signJws } from './test-issuer.ts';

/** A client's DPoP key (RFC 9449): its thumbprint for `cnf.jkt`, and a proof maker. */
export interface DpopKey {
  /** RFC 7638 SHA-256 thumbprint of the public key: the `cnf.jkt` of tokens bound to it. */
  readonly jkt: string;
  /** A fresh proof for one request with `accessToken`: `htm`, `htu`, `iat`, `jti`, `ath`. */
  proof(method: string, url: string, accessToken: string): string;
}

/** Creates a P-256 DPoP key, with node:crypto only (like the test issuer). */
export function createDpopKey(): DpopKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { crv, kty, x, y } = publicKey.export({ format: 'jwk' });
  const jwk = { crv, kty, x, y };
  // RFC 7638: the required members in lexicographic order, no whitespace.
  const jkt = hash('sha256', JSON.stringify({ crv, kty, x, y }), 'base64url');
  return {
    jkt,
    proof: (method, url, accessToken) =>
      signJws(
        privateKey,
        { typ: 'dpop+jwt', alg: 'ES256', jwk },
        {
          jti: randomUUID(),
          htm: method,
          htu: url,
          iat: Math.floor(Date.now() / 1000),
          ath: hash('sha256', accessToken, 'base64url'),
        },
      ),
  };
}
