import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// Tokens are minted with node:crypto rather than jose: jose is a dependency of
// @portcullis/resource-server, not of this package, and an ES256 JWS is a few lines.

/** A fake authorization server: metadata, a JWKS, and a token mint with its key. */
export interface TestIssuer {
  /** Issuer identifier and base URL (metadata is discovered from it). */
  readonly url: string;
  /** Mints an access token for `audience` with `claims` overriding the defaults. */
  mint(audience: string, claims?: Record<string, unknown>): string;
  /** Signs arbitrary header and claims with the issuer's key. */
  sign(header: Record<string, unknown>, claims: Record<string, unknown>): string;
  close(): Promise<void>;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function signJws(key: KeyObject, header: Record<string, unknown>, claims: Record<string, unknown>) {
  const input = `${encode(header)}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** Starts a fake issuer on 127.0.0.1 with a fresh P-256 key. */
export async function startTestIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomUUID();
  const jwks = {
    keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }],
  };
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/jwks') res.end(JSON.stringify(jwks));
    else if (req.url === '/.well-known/oauth-authorization-server') {
      res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks` }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const header = { alg: 'ES256', typ: 'at+jwt', kid };

  return {
    url,
    mint(audience, claims = {}) {
      const now = Math.floor(Date.now() / 1000);
      return signJws(privateKey, header, {
        iss: url,
        aud: audience,
        sub: 'alice',
        client_id: 'notes-client',
        jti: randomUUID(),
        iat: now,
        exp: now + 300,
        scope: 'notes:read notes:write',
        ...claims,
      });
    },
    sign: (customHeader, claims) => signJws(privateKey, customHeader, claims),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
