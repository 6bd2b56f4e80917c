import { generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

// Tokens are minted with node:crypto rather than jose: jose is a dependency of
// @portcullis/resource-server, not of this package, and an ES256 JWS is a few lines.

/**
 * A fake authorization server: metadata, a JWKS, a token mint with its key, and an RFC 7662
 * introspection endpoint for the opaque tokens it hands out.
 */
export interface TestIssuer {
  /** Issuer identifier and base URL (metadata is discovered from it). */
  readonly url: string;
  /** The only client the introspection endpoint accepts (HTTP Basic). */
  readonly introspectionClient: { readonly clientId: string; readonly clientSecret: string };
  /** Mints an access token for `audience` with `claims` overriding the defaults. */
  mint(audience: string, claims?: Record<string, unknown>): string;
  /**
   * Issues an opaque token for `audience`: the introspection endpoint answers it as active with
   * the same default claims as `mint` (overridden by `claims`), and unknown tokens as inactive.
   */
  opaque(audience: string, claims?: Record<string, unknown>): string;
  /** How many introspection requests the endpoint has answered. */
  readonly introspections: number;
  /** Signs arbitrary header and claims with the issuer's key. */
  sign(header: Record<string, unknown>, claims: Record<string, unknown>): string;
  close(): Promise<void>;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs `claims` as a compact ES256 JWS with `key` (a P-256 private key). */
export function signJws(
  key: KeyObject,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
) {
  const input = `${encode(header)}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

/** Starts a fake issuer on 127.0.0.1 with a fresh P-256 key. */
export async function startTestIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomUUID();
  const jwks = {
    keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }],
  };
  const introspectionClient = { clientId: 'notes-api', clientSecret: randomUUID() };
  const opaqueTokens = new Map<string, Record<string, unknown>>();
  let introspections = 0;
  const defaultClaims = (audience: string) => {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: url,
      aud: audience,
      sub: 'alice',
      client_id: 'notes-client',
      jti: randomUUID(),
      iat: now,
      exp: now + 300,
      scope: 'notes:read notes:write',
    };
  };
  const server = createServer(async (req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/jwks') res.end(JSON.stringify(jwks));
    else if (req.url === '/.well-known/oauth-authorization-server') {
      res.end(
        JSON.stringify({
          issuer: url,
          jwks_uri: `${url}/jwks`,
          introspection_endpoint: `${url}/introspect`,
        }),
      );
    } else if (req.url === '/introspect' && req.method === 'POST') {
      introspections += 1;
      const { clientId, clientSecret } = introspectionClient;
      const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
      if (req.headers.authorization !== `Basic ${basic}`) {
        res.statusCode = 401;
        res.end('{"error":"invalid_client"}');
        return;
      }
      const token = new URLSearchParams(await readBody(req)).get('token') ?? '';
      const claims = opaqueTokens.get(token);
      res.end(
        JSON.stringify(claims === undefined ? { active: false } : { active: true, ...claims }),
      );
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
    introspectionClient,
    mint(audience, claims = {}) {
      return signJws(privateKey, header, { ...defaultClaims(audience), ...claims });
    },
    opaque(audience, claims = {}) {
      // No dots: a JWS has two and a JWE four, so this is never mistaken for either.
      const token = randomBytes(32).toString('base64url');
      opaqueTokens.set(token, { ...defaultClaims(audience), token_type: 'Bearer', ...claims });
      return token;
    },
    get introspections() {
      return introspections;
    },
    sign: (customHeader, claims) => signJws(privateKey, customHeader, claims),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
