import { randomUUID } from 'node:crypto';
import { base64url, EncryptJWT, exportSPKI } from 'jose';
import { generateHolderKey, type HolderKey, mintProof } from '../helpers/dpop.ts';
import { generateTestKey, type TestKey } from '../helpers/keys.ts';
import {
  AUDIENCE,
  ISSUER,
  mintToken,
  mintUnsignedToken,
  NOW,
  validClaims,
} from '../helpers/mint-token.ts';

/** The request of one row: sent as written, over a raw socket, `times` times. */
export interface RowRequest {
  readonly method?: string;
  readonly target: string;
  readonly headers: readonly string[];
  /** Sends it this many times; the last answer is judged [1]. */
  readonly times?: number;
}

/** What every adapter must answer. */
export type Expected =
  | {
      readonly status: 200;
      readonly sub: string | null;
      /** The actor chain the route saw [none]. */
      readonly actor?: readonly string[];
    }
  | { readonly status: 401; readonly challenge: 'bare' }
  | {
      readonly status: 400 | 401 | 403;
      readonly error: string;
      /** The scheme whose challenge carries the error. */
      readonly scheme: 'Bearer' | 'DPoP';
      readonly scope?: string;
    }
  | { readonly status: 403; readonly error: 'forbidden' }
  | { readonly status: 429; readonly error: 'rate_limited' }
  | { readonly status: 431 }
  | { readonly status: 200; readonly metadata: true };

/** One adversarial case: how to build its request, and the answer every adapter owes it. */
export interface Row {
  readonly name: string;
  request(): Promise<RowRequest>;
  readonly expected: Expected;
}

/** The keys the rows sign with; the issuer publishes `key` only. */
export interface TableKeys {
  readonly key: TestKey;
  readonly attacker: TestKey;
  readonly holder: HolderKey;
}

export async function generateTableKeys(): Promise<TableKeys> {
  return {
    key: await generateTestKey('key-1'),
    attacker: await generateTestKey('key-1'),
    holder: await generateHolderKey(),
  };
}

const bearer = (token: string) => [`Authorization: Bearer ${token}`];
const invalidToken = { status: 401, error: 'invalid_token', scheme: 'Bearer' } as const;
const invalidRequest = { status: 400, error: 'invalid_request', scheme: 'Bearer' } as const;
const invalidProof = { status: 401, error: 'invalid_dpop_proof', scheme: 'DPoP' } as const;
const ok = { status: 200, sub: 'user-1' } as const;
const read = (headers: string[], rest: Partial<RowRequest> = {}): RowRequest => ({
  target: '/read',
  headers,
  ...rest,
});
const encode = (value: unknown) => base64url.encode(JSON.stringify(value));

/**
 * The adversarial table: every row runs against every adapter (test/adapters), which must all
 * give the expected answer, and the same one, byte for byte in its challenge and body.
 */
export function adversarialRows({ key, attacker, holder }: TableKeys, now = NOW): Row[] {
  // Every token valid at `now` unless the row says otherwise (tests of other libraries, which
  // have no clock to set, run the table at the real time).
  const claims = () => ({ ...validClaims(), iat: now, exp: now + 300 });
  const sign = (signer: TestKey, options: Parameters<typeof mintToken>[1] = {}) =>
    mintToken(signer, { ...options, claims: { iat: now, exp: now + 300, ...options.claims } });
  const token = (options?: Parameters<typeof mintToken>[1]) => sign(key, options);
  const bound = () => token({ claims: { cnf: { jkt: holder.jkt } } });
  const withProof = async (proofOptions: Parameters<typeof mintProof>[3] = {}) => {
    const accessToken = await bound();
    const proof = await mintProof(holder, accessToken, `${AUDIENCE}/read`, {
      ...proofOptions,
      claims: { iat: now, ...proofOptions.claims },
    });
    return [`Authorization: DPoP ${accessToken}`, `DPoP: ${proof}`];
  };
  return [
    // What must pass.
    { name: 'a valid token', request: async () => read(bearer(await token())), expected: ok },
    {
      name: 'the scheme in lower case (bearer)',
      request: async () => read([`Authorization: bearer ${await token()}`]),
      expected: ok,
    },
    {
      name: 'the scheme in upper case (BEARER)',
      request: async () => read([`Authorization: BEARER ${await token()}`]),
      expected: ok,
    },
    {
      name: 'expired 10 s ago, inside the 30 s leeway',
      request: async () => read(bearer(await token({ claims: { exp: now - 10 } }))),
      expected: ok,
    },
    {
      name: 'a DPoP-bound token with its proof',
      request: async () => read(await withProof()),
      expected: ok,
    },
    {
      name: 'optional authentication without a token',
      request: async () => ({ target: '/optional', headers: [] }),
      expected: { status: 200, sub: null },
    },
    {
      name: 'the protected-resource metadata (RFC 9728)',
      request: async () => ({ target: '/.well-known/oauth-protected-resource', headers: [] }),
      expected: { status: 200, metadata: true },
    },
    // No credentials of ours.
    {
      name: 'no Authorization header',
      request: async () => read([]),
      expected: { status: 401, challenge: 'bare' },
    },
    {
      name: 'Basic credentials',
      request: async () => read(['Authorization: Basic dXNlcjpwYXNz']),
      expected: { status: 401, challenge: 'bare' },
    },
    {
      name: 'the token only in the query string',
      request: async () => read([], { target: `/read?access_token=${await token()}` }),
      expected: { status: 401, challenge: 'bare' },
    },
    // Malformed requests.
    {
      name: 'two Authorization headers',
      request: async () => read([...bearer(await token()), ...bearer(await token())]),
      expected: invalidRequest,
    },
    {
      name: 'a Basic and a Bearer Authorization header',
      request: async () => read(['Authorization: Basic dXNlcjpwYXNz', ...bearer(await token())]),
      expected: invalidRequest,
    },
    {
      name: 'the token in the header and in the query string',
      request: async () => {
        const value = await token();
        return read(bearer(value), { target: `/read?access_token=${value}` });
      },
      expected: invalidRequest,
    },
    {
      name: 'Bearer without a token',
      request: async () => read(['Authorization: Bearer']),
      expected: invalidRequest,
    },
    {
      name: 'a token with characters outside token68',
      request: async () => read(['Authorization: Bearer abc$def']),
      expected: invalidRequest,
    },
    // Tokens that are refused.
    {
      name: 'a token longer than maxTokenLength (4096)',
      request: async () => read(bearer('a'.repeat(5000))),
      expected: invalidToken,
    },
    {
      name: 'a header larger than Node.js reads (20 KB)',
      request: async () => read(bearer('a'.repeat(20_000))),
      expected: { status: 431 },
    },
    {
      name: 'expired',
      request: async () => read(bearer(await token({ claims: { exp: now - 120 } }))),
      expected: invalidToken,
    },
    {
      name: 'not yet valid (nbf in 2 minutes)',
      request: async () => read(bearer(await token({ claims: { nbf: now + 120 } }))),
      expected: invalidToken,
    },
    {
      name: 'issued in the future (iat in 2 minutes)',
      request: async () => read(bearer(await token({ claims: { iat: now + 120 } }))),
      expected: invalidToken,
    },
    {
      name: 'for another audience',
      request: async () =>
        read(bearer(await token({ claims: { aud: 'https://other.example.test' } }))),
      expected: invalidToken,
    },
    {
      name: 'from another issuer',
      request: async () => read(bearer(await token({ claims: { iss: `${ISSUER}.evil` } }))),
      expected: invalidToken,
    },
    {
      name: 'alg none',
      request: async () => read(bearer(mintUnsignedToken({ kid: key.kid }))),
      expected: invalidToken,
    },
    {
      name: 'HS256 with the public key as secret',
      request: async () =>
        read(
          bearer(
            await token({
              header: { alg: 'HS256' },
              signWith: new TextEncoder().encode(await exportSPKI(key.publicKey)),
            }),
          ),
        ),
      expected: invalidToken,
    },
    {
      name: 'an unknown kid',
      request: async () =>
        read(bearer(await token({ header: { kid: `unknown-${randomUUID()}` } }))),
      expected: invalidToken,
    },
    {
      name: 'a tampered signature',
      request: async () => {
        const [header, payload, signature = ''] = (await token()).split('.');
        const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
        return read(bearer(`${header}.${payload}.${flipped}`));
      },
      expected: invalidToken,
    },
    {
      name: 'a payload changed after signing (scope widened)',
      request: async () => {
        const [header, , signature] = (await token()).split('.');
        const payload = encode({ ...claims(), scope: 'notes:read notes:write' });
        return read(bearer(`${header}.${payload}.${signature}`));
      },
      expected: invalidToken,
    },
    {
      name: "signed by another key under the issuer's kid",
      request: async () => read(bearer(await sign(attacker))),
      expected: invalidToken,
    },
    {
      name: 'a jku header pointing at another key set',
      request: async () =>
        read(bearer(await sign(attacker, { header: { jku: 'https://evil.example.test/jwks' } }))),
      expected: invalidToken,
    },
    {
      name: 'typ JWT (not at+jwt)',
      request: async () => read(bearer(await token({ header: { typ: 'JWT' } }))),
      expected: invalidToken,
    },
    {
      name: 'no typ',
      request: async () => read(bearer(await token({ header: { typ: undefined } }))),
      expected: invalidToken,
    },
    {
      name: 'no client_id (an ID token)',
      request: async () => read(bearer(await token({ omit: ['client_id'] }))),
      expected: invalidToken,
    },
    {
      name: 'no jti',
      request: async () => read(bearer(await token({ omit: ['jti'] }))),
      expected: invalidToken,
    },
    {
      name: 'no exp',
      request: async () => read(bearer(await token({ omit: ['exp'] }))),
      expected: invalidToken,
    },
    {
      name: 'a JWE (five segments)',
      request: async () =>
        read(
          bearer(
            await new EncryptJWT(claims())
              .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: 'at+jwt', kid: key.kid })
              .encrypt(new Uint8Array(32)),
          ),
        ),
      expected: invalidToken,
    },
    {
      name: 'an opaque token (no introspection)',
      request: async () => read(bearer('opaque-token-value')),
      expected: invalidToken,
    },
    {
      name: 'optional authentication with a bad token',
      request: async () => ({
        target: '/optional',
        headers: bearer(await token({ claims: { aud: 'x' } })),
      }),
      expected: invalidToken,
    },
    // Delegation (RFC 8693): the actor chain on every adapter, and the rule on it.
    {
      name: 'a delegated token: the actor chain, current actor first',
      request: async () =>
        read(bearer(await token({ claims: { act: { sub: 'billing', act: { sub: 'orders' } } } }))),
      expected: { status: 200, sub: 'user-1', actor: ['billing', 'orders'] },
    },
    {
      name: 'a malformed act claim',
      request: async () => read(bearer(await token({ claims: { act: 'orders-service' } }))),
      expected: invalidToken,
    },
    {
      name: 'a rule: actedBy the named actor',
      request: async () => ({
        target: '/acted',
        headers: bearer(await token({ claims: { act: { sub: 'orders-service' } } })),
      }),
      expected: { status: 200, sub: 'user-1', actor: ['orders-service'] },
    },
    {
      name: "a rule: actedBy and the user's own token",
      request: async () => ({ target: '/acted', headers: bearer(await token()) }),
      expected: { status: 403, error: 'forbidden' },
    },
    {
      name: 'a rule: actedBy and another actor',
      request: async () => ({
        target: '/acted',
        headers: bearer(await token({ claims: { act: { sub: 'reports-service' } } })),
      }),
      expected: { status: 403, error: 'forbidden' },
    },
    // Scopes and rules.
    {
      name: 'missing scope',
      request: async () => ({ target: '/write', headers: bearer(await token()) }),
      expected: {
        status: 403,
        error: 'insufficient_scope',
        scheme: 'Bearer',
        scope: 'notes:write',
      },
    },
    {
      name: 'a rule: POST needs the write scope',
      request: async () => ({ method: 'POST', target: '/rule', headers: bearer(await token()) }),
      expected: {
        status: 403,
        error: 'insufficient_scope',
        scheme: 'Bearer',
        scope: 'notes:write',
      },
    },
    {
      name: "a rule: another subject's resource",
      request: async () => ({
        target: '/owner',
        headers: bearer(await token({ claims: { sub: 'user-2' } })),
      }),
      expected: { status: 403, error: 'forbidden' },
    },
    {
      name: 'a throttle: the third request in a minute',
      request: async () => ({ target: '/limited', headers: bearer(await token()), times: 3 }),
      expected: { status: 429, error: 'rate_limited' },
    },
    // DPoP.
    {
      name: 'a DPoP-bound token as a Bearer token',
      request: async () => read(bearer(await bound())),
      expected: invalidToken,
    },
    {
      name: 'a DPoP-bound token without its proof',
      request: async () => read([`Authorization: DPoP ${await bound()}`]),
      expected: invalidProof,
    },
    {
      name: 'a DPoP proof replayed',
      request: async () => ({ ...read(await withProof()), times: 2 }),
      expected: invalidProof,
    },
    {
      name: 'a DPoP proof for another URL',
      request: async () => read(await withProof({ htu: `${AUDIENCE}/write` })),
      expected: invalidProof,
    },
    {
      name: 'a DPoP proof for another method',
      request: async () => read(await withProof({ htm: 'POST' })),
      expected: invalidProof,
    },
    {
      name: 'two DPoP proofs',
      request: async () => {
        const headers = await withProof();
        return read([...headers, headers[1]!]);
      },
      expected: invalidProof,
    },
    {
      name: 'a DPoP proof signed by another key',
      request: async () =>
        read(await withProof({ signWith: (await generateHolderKey()).privateKey })),
      expected: invalidProof,
    },
  ];
}
