import test, { type ExecutionContext } from 'ava';
import { generateKeyPair } from 'jose';
import { assertInvalidToken, assertNoCredentials } from '../helpers/assertions.ts';
import {
  athOf,
  generateHolderKey,
  getWithHeaders,
  type HolderKey,
  mintProof,
  mintUnsignedProof,
} from '../helpers/dpop.ts';
import { generateTestKey, type TestKey } from '../helpers/keys.ts';
import { AUDIENCE, mintToken, NOW } from '../helpers/mint-token.ts';
import { get, rawGet, type TestResponse } from '../helpers/request.ts';
import { startIssuer, type TestIssuer } from '../helpers/start-issuer.ts';
import { startTestApp, type TestApp } from '../helpers/start-test-app.ts';

// The public URL is the audience: clients reach the API there, whatever port the test listens on.
const HTU = `${AUDIENCE}/protected`;
const META = `${AUDIENCE}/.well-known/oauth-protected-resource`;
const ALGS = 'ES256 PS256 EdDSA Ed25519';
const BEARER = `Bearer realm="${AUDIENCE}", resource_metadata="${META}"`;
const DPOP = `DPoP realm="${AUDIENCE}", algs="${ALGS}", resource_metadata="${META}"`;

let key: TestKey;
let issuer: TestIssuer;
let app: TestApp;
let holder: HolderKey;
let bound: string;

test.before(async () => {
  key = await generateTestKey('key-1');
  issuer = await startIssuer([key.publicJwk]);
  app = await startTestApp({ jwksUri: issuer.jwksUri, publicUrl: AUDIENCE, dpop: {} });
  holder = await generateHolderKey();
  bound = await mintToken(key, { claims: { cnf: { jkt: holder.jkt } } });
});

test.after.always(async () => {
  await app.close();
  await issuer.close();
});

const dpopGet = (url: string, token: string, proof: string | undefined) =>
  getWithHeaders(url, {
    authorization: `DPoP ${token}`,
    ...(proof !== undefined && { dpop: proof }),
  });

/** A refusal in the challenge of `scheme`, the other scheme following bare. */
function assertRefused(
  t: ExecutionContext,
  response: TestResponse,
  expected: { status?: number; error: string; description: string; scheme: 'DPoP' | 'Bearer' },
) {
  const { status = 401, error, description, scheme } = expected;
  t.is(response.status, status);
  const params = `realm="${AUDIENCE}", error="${error}", error_description="${description}"`;
  const challenge =
    scheme === 'DPoP'
      ? `DPoP ${params}, algs="${ALGS}", resource_metadata="${META}", ${BEARER}`
      : `Bearer ${params}, resource_metadata="${META}", ${DPOP}`;
  t.is(response.headers.get('www-authenticate'), challenge);
  t.deepEqual(response.body, { error, error_description: description });
  t.is(response.headers.get('cache-control'), 'no-store');
}

const proofError = (description: string) =>
  ({ error: 'invalid_dpop_proof', description, scheme: 'DPoP' }) as const;

test('a bound token with a good proof is accepted', async (t) => {
  const response = await dpopGet(
    `${app.url}/protected`,
    bound,
    await mintProof(holder, bound, HTU),
  );
  t.is(response.status, 200);
  t.like(response.body, { auth: { subject: 'user-1', token: 'jwt' } });
});

test('the DPoP scheme is case-insensitive and the htu is compared after normalisation', async (t) => {
  const proof = await mintProof(holder, bound, 'HTTPS://API.EXAMPLE.TEST:443/protected?x=1#y');
  const response = await getWithHeaders(`${app.url}/protected?page=2`, {
    authorization: `dpop ${bound}`,
    dpop: proof,
  });
  t.is(response.status, 200);
});

test('every algorithm of the default list works (EdDSA, PS256)', async (t) => {
  for (const alg of ['EdDSA', 'PS256']) {
    const other = await generateHolderKey(alg);
    const token = await mintToken(key, { claims: { cnf: { jkt: other.jkt } } });
    const response = await dpopGet(
      `${app.url}/protected`,
      token,
      await mintProof(other, token, HTU),
    );
    t.is(response.status, 200, alg);
  }
});

test('a replayed proof is refused', async (t) => {
  const proof = await mintProof(holder, bound, HTU);
  t.is((await dpopGet(`${app.url}/protected`, bound, proof)).status, 200);
  assertRefused(
    t,
    await dpopGet(`${app.url}/protected`, bound, proof),
    proofError('the DPoP proof has been used before'),
  );
});

test('the verified-token cache does not skip the proof: a cached token without proof fails', async (t) => {
  const token = await mintToken(key, { claims: { cnf: { jkt: holder.jkt } } });
  t.is(
    (await dpopGet(`${app.url}/protected`, token, await mintProof(holder, token, HTU))).status,
    200,
  );
  assertRefused(
    t,
    await dpopGet(`${app.url}/protected`, token, undefined),
    proofError('the request has no DPoP proof'),
  );
  const stale = await mintProof(holder, token, HTU, { claims: { iat: NOW - 3600 } });
  assertRefused(
    t,
    await dpopGet(`${app.url}/protected`, token, stale),
    proofError('the DPoP proof is too old'),
  );
});

const refused = test.macro({
  async exec(
    t,
    make: () => Promise<string>,
    expected: { error: string; description: string; scheme: 'DPoP' | 'Bearer' },
  ) {
    assertRefused(t, await dpopGet(`${app.url}/protected`, bound, await make()), expected);
  },
  title: (title = '') => `refused: ${title}`,
});

test(
  'wrong htm',
  refused,
  () => mintProof(holder, bound, HTU, { htm: 'POST' }),
  proofError('the DPoP proof is for another HTTP method'),
);
test(
  'htm in lower case',
  refused,
  () => mintProof(holder, bound, HTU, { htm: 'get' }),
  proofError('the DPoP proof is for another HTTP method'),
);
test(
  'wrong htu path',
  refused,
  () => mintProof(holder, bound, `${AUDIENCE}/other`),
  proofError('the DPoP proof is for another URL'),
);
test(
  'wrong htu host',
  refused,
  () => mintProof(holder, bound, 'https://evil.example.test/protected'),
  proofError('the DPoP proof is for another URL'),
);
test(
  'htu with another scheme',
  refused,
  () => mintProof(holder, bound, 'http://api.example.test/protected'),
  proofError('the DPoP proof is for another URL'),
);
test(
  'htu that is not a URL',
  refused,
  () => mintProof(holder, bound, '/protected'),
  proofError('the DPoP proof is for another URL'),
);
test(
  'iat older than the window (61 s)',
  refused,
  () => mintProof(holder, bound, HTU, { claims: { iat: NOW - 61 } }),
  proofError('the DPoP proof is too old'),
);
test(
  'iat beyond the leeway in the future (31 s)',
  refused,
  () => mintProof(holder, bound, HTU, { claims: { iat: NOW + 31 } }),
  proofError('the DPoP proof is issued in the future'),
);
test(
  'iat missing',
  refused,
  () => mintProof(holder, bound, HTU, { claims: { iat: undefined } }),
  proofError('the DPoP proof lacks a required claim'),
);
test(
  'jti missing',
  refused,
  () => mintProof(holder, bound, HTU, { claims: { jti: undefined } }),
  proofError('the DPoP proof lacks a required claim'),
);
test(
  'jti too long',
  refused,
  () => mintProof(holder, bound, HTU, { claims: { jti: 'j'.repeat(257) } }),
  proofError('the DPoP proof lacks a required claim'),
);
test(
  'wrong ath',
  refused,
  () => mintProof(holder, bound, HTU, { claims: { ath: athOf('another token') } }),
  proofError('the DPoP proof is not for this access token'),
);
test(
  'ath missing',
  refused,
  () => mintProof(holder, bound, HTU, { claims: { ath: undefined } }),
  proofError('the DPoP proof is not for this access token'),
);
test(
  'a jwk with its private part',
  refused,
  () => mintProof(holder, bound, HTU, { header: { jwk: holder.privateJwk } }),
  proofError('the DPoP proof key must be a public key'),
);
test(
  'a symmetric jwk',
  refused,
  () => mintProof(holder, bound, HTU, { header: { jwk: { kty: 'oct', k: 'c2VjcmV0' } } }),
  proofError('the DPoP proof key must be a public key'),
);
test(
  'no jwk header',
  refused,
  () => mintProof(holder, bound, HTU, { header: { jwk: undefined } }),
  proofError('the DPoP proof has no public key (jwk) in its header'),
);
test(
  'alg none with an empty signature (not even a compact JWS)',
  refused,
  async () => mintUnsignedProof(holder, bound, HTU),
  proofError('the DPoP proof is malformed'),
);
test(
  'alg none with some signature bytes',
  refused,
  async () => `${mintUnsignedProof(holder, bound, HTU)}AAAA`,
  proofError('the DPoP proof is signed with an algorithm that is not allowed'),
);
test(
  'HS256 with the public key as secret',
  refused,
  () =>
    mintProof(holder, bound, HTU, {
      header: { alg: 'HS256' },
      signWith: new TextEncoder().encode(JSON.stringify(holder.publicJwk)),
    }),
  proofError('the DPoP proof is signed with an algorithm that is not allowed'),
);
test(
  'an asymmetric algorithm not on the list (ES384)',
  refused,
  async () => {
    const es384 = await generateHolderKey('ES384');
    return mintProof(es384, bound, HTU);
  },
  proofError('the DPoP proof is signed with an algorithm that is not allowed'),
);
test(
  'typ JWT',
  refused,
  () => mintProof(holder, bound, HTU, { header: { typ: 'JWT' } }),
  proofError('the DPoP proof is not a DPoP proof JWT (typ must be dpop+jwt)'),
);
test(
  'typ at+jwt (an access token as proof)',
  refused,
  () => mintProof(holder, bound, HTU, { header: { typ: 'at+jwt' } }),
  proofError('the DPoP proof is not a DPoP proof JWT (typ must be dpop+jwt)'),
);
test(
  'signed by another key than the embedded jwk',
  refused,
  async () => {
    const { privateKey } = await generateKeyPair('ES256');
    return mintProof(holder, bound, HTU, { signWith: privateKey });
  },
  proofError('the DPoP proof signature is invalid'),
);
test('not a JWS', refused, async () => 'not-a-proof', proofError('the DPoP proof is malformed'));
test(
  'a good proof by another key than cnf.jkt',
  refused,
  async () => mintProof(await generateHolderKey(), bound, HTU),
  {
    error: 'invalid_token',
    description: 'the access token is bound to another key than the proof',
    scheme: 'DPoP',
  },
);

test('missing proof', async (t) => {
  assertRefused(
    t,
    await dpopGet(`${app.url}/protected`, bound, undefined),
    proofError('the request has no DPoP proof'),
  );
});

test('two DPoP headers, even if both are good', async (t) => {
  const response = await rawGet(`${app.url}/protected`, [
    `Authorization: DPoP ${bound}`,
    `DPoP: ${await mintProof(holder, bound, HTU)}`,
    `dpop: ${await mintProof(holder, bound, HTU)}`,
  ]);
  assertRefused(t, response, proofError('the request has more than one DPoP proof'));
});

test('a DPoP-bound token presented as Bearer is refused', async (t) => {
  const response = await getWithHeaders(`${app.url}/protected`, {
    authorization: `Bearer ${bound}`,
    dpop: await mintProof(holder, bound, HTU),
  });
  assertRefused(t, response, {
    error: 'invalid_token',
    description: 'the access token is bound to a key and cannot be used as a Bearer token',
    scheme: 'Bearer',
  });
});

test('an unbound token presented with the DPoP scheme is refused', async (t) => {
  const token = await mintToken(key);
  assertRefused(
    t,
    await dpopGet(`${app.url}/protected`, token, await mintProof(holder, token, HTU)),
    {
      error: 'invalid_token',
      description: 'the access token is not bound to a DPoP key',
      scheme: 'DPoP',
    },
  );
});

test('an unbound Bearer token still works next to DPoP', async (t) => {
  t.is((await get(`${app.url}/protected`, `Bearer ${await mintToken(key)}`)).status, 200);
});

test('no credentials: both challenges, each with resource_metadata', async (t) => {
  const response = await get(`${app.url}/protected`);
  t.is(response.status, 401);
  t.is(response.headers.get('www-authenticate'), `${BEARER}, ${DPOP}`);
  t.is(response.body?.error, 'unauthorized');
});

test('a missing scope on a DPoP request is answered in the DPoP challenge', async (t) => {
  const proof = await mintProof(holder, bound, `${AUDIENCE}/read-write`);
  const response = await dpopGet(`${app.url}/read-write`, bound, proof);
  t.is(response.status, 403);
  t.is(
    response.headers.get('www-authenticate'),
    `DPoP realm="${AUDIENCE}", error="insufficient_scope", error_description="the access token does not grant the scope this request needs", scope="notes:read notes:write", algs="${ALGS}", resource_metadata="${META}", ${BEARER}`,
  );
});

test('without the dpop option, a bound Bearer token is refused and the DPoP scheme is no credentials', async (t) => {
  const plain = await startTestApp({ jwksUri: issuer.jwksUri });
  t.teardown(plain.close);
  assertInvalidToken(t, await get(`${plain.url}/protected`, `Bearer ${bound}`));
  assertNoCredentials(
    t,
    await dpopGet(`${plain.url}/protected`, bound, await mintProof(holder, bound, HTU)),
  );
});

test('dpop.required: Bearer credentials count as none, and only DPoP is offered', async (t) => {
  const strict = await startTestApp({
    jwksUri: issuer.jwksUri,
    publicUrl: AUDIENCE,
    dpop: { required: true },
  });
  t.teardown(strict.close);
  const response = await get(`${strict.url}/protected`, `Bearer ${await mintToken(key)}`);
  t.is(response.status, 401);
  t.is(response.headers.get('www-authenticate'), DPOP);
  const ok = await dpopGet(`${strict.url}/protected`, bound, await mintProof(holder, bound, HTU));
  t.is(ok.status, 200);
  const missing = await dpopGet(`${strict.url}/protected`, bound, undefined);
  t.is(
    missing.headers.get('www-authenticate'),
    `DPoP realm="${AUDIENCE}", error="invalid_dpop_proof", error_description="the request has no DPoP proof", algs="${ALGS}", resource_metadata="${META}"`,
  );
});

test('the htu carries the path prefix of publicUrl', async (t) => {
  const prefixed = await startTestApp({
    jwksUri: issuer.jwksUri,
    publicUrl: `${AUDIENCE}/api/`,
    dpop: {},
  });
  t.teardown(prefixed.close);
  const proof = await mintProof(holder, bound, `${AUDIENCE}/api/protected`);
  t.is((await dpopGet(`${prefixed.url}/protected`, bound, proof)).status, 200);
  const unprefixed = await mintProof(holder, bound, HTU);
  t.is((await dpopGet(`${prefixed.url}/protected`, bound, unprefixed)).status, 401);
});

test('a full replay cache refuses new proofs with 503 rather than forget one', async (t) => {
  const clock = { now: NOW * 1000 };
  const tiny = await startTestApp({
    jwksUri: issuer.jwksUri,
    publicUrl: AUDIENCE,
    dpop: { replayCacheSize: 1 },
    now: () => clock.now,
  });
  t.teardown(tiny.close);
  t.is(
    (await dpopGet(`${tiny.url}/protected`, bound, await mintProof(holder, bound, HTU))).status,
    200,
  );
  const second = await dpopGet(`${tiny.url}/protected`, bound, await mintProof(holder, bound, HTU));
  t.is(second.status, 503);
  t.is(second.headers.get('retry-after'), '60');
  t.is(second.body?.error, 'temporarily_unavailable');
  t.is(second.headers.get('www-authenticate'), null);
  t.is(tiny.loggedErrors.length, 1, 'the first refusal is logged, with its cause');
  // Once the first proof is out of its window, its entry goes and new proofs fit again.
  clock.now = (NOW + 61) * 1000;
  const later = await mintProof(holder, bound, HTU, { claims: { iat: NOW + 61 } });
  t.is((await dpopGet(`${tiny.url}/protected`, bound, later)).status, 200);
});

test('a pluggable replay store is used, and its failure is a 503', async (t) => {
  const seen = new Set<string>();
  let broken = false;
  const shared = {
    async markUsed(proofKey: string, expiresAt: number) {
      if (broken) throw new Error('store down');
      t.is(expiresAt, (NOW + 60) * 1000);
      if (seen.has(proofKey)) return false;
      seen.add(proofKey);
      return true;
    },
  };
  // Two replicas sharing one store: a proof used at one is a replay at the other.
  const [a, b] = await Promise.all(
    [1, 2].map(() =>
      startTestApp({ jwksUri: issuer.jwksUri, publicUrl: AUDIENCE, dpop: { replayStore: shared } }),
    ),
  );
  t.teardown(() => Promise.all([a!.close(), b!.close()]));
  const proof = await mintProof(holder, bound, HTU);
  t.is((await dpopGet(`${a!.url}/protected`, bound, proof)).status, 200);
  assertRefused(
    t,
    await dpopGet(`${b!.url}/protected`, bound, proof),
    proofError('the DPoP proof has been used before'),
  );
  broken = true;
  const response = await dpopGet(`${b!.url}/protected`, bound, await mintProof(holder, bound, HTU));
  t.is(response.status, 503);
  t.is(response.body?.error, 'temporarily_unavailable');
});
