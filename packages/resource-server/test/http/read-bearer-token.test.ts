import test from 'ava';
import {
  assertInvalidRequest,
  assertInvalidToken,
  assertNoCredentials,
} from '../helpers/assertions.ts';
import { generateTestKey, type TestKey } from '../helpers/keys.ts';
import { mintToken } from '../helpers/mint-token.ts';
import { get, rawGet } from '../helpers/request.ts';
import { startIssuer, type TestIssuer } from '../helpers/start-issuer.ts';
import { startTestApp, type TestApp } from '../helpers/start-test-app.ts';

let key: TestKey;
let issuer: TestIssuer;
let app: TestApp;
let token: string;

test.before(async () => {
  key = await generateTestKey('key-1');
  issuer = await startIssuer([key.publicJwk]);
  app = await startTestApp({ jwksUri: issuer.jwksUri, maxTokenLength: 2048 });
  token = await mintToken(key);
});

test.after.always(async () => {
  await app.close();
  await issuer.close();
});

test('a valid Bearer token is accepted and exposed on ctx.state.auth', async (t) => {
  const response = await get(`${app.url}/protected`, `Bearer ${token}`);
  t.is(response.status, 200);
  t.deepEqual(response.body?.auth, {
    subject: 'user-1',
    clientId: 'client-1',
    scopes: ['notes:read'],
    scope: 'notes:read',
    actor: [],
    jti: response.body?.auth && (response.body.auth as { jti: string }).jti,
    token: 'jwt',
  });
});

test('auth.scope is the scopes space-delimited, each once, in the token order', async (t) => {
  const repeated = await mintToken(key, {
    claims: { scope: ' notes:write  notes:read notes:write' },
  });
  const response = await get(`${app.url}/protected`, `Bearer ${repeated}`);
  t.is(response.status, 200);
  t.like(response.body?.auth, {
    scopes: ['notes:write', 'notes:read'],
    scope: 'notes:write notes:read',
  });
  const none = await mintToken(key, { claims: { scope: undefined } });
  t.like((await get(`${app.url}/protected`, `Bearer ${none}`)).body?.auth, {
    scopes: [],
    scope: '',
  });
});

for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
  test(`the scheme is case-insensitive: ${scheme}`, async (t) => {
    t.is((await get(`${app.url}/protected`, `${scheme} ${token}`)).status, 200);
  });
}

test('no Authorization header: 401 with a bare challenge', async (t) => {
  assertNoCredentials(t, await get(`${app.url}/protected`));
});

test('another scheme (Basic) counts as no credentials', async (t) => {
  assertNoCredentials(t, await get(`${app.url}/protected`, 'Basic dXNlcjpwYXNz'));
});

test('a token in the query string is ignored', async (t) => {
  assertNoCredentials(t, await get(`${app.url}/protected?access_token=${token}`));
});

test('a token in both the header and the query string is an invalid request', async (t) => {
  assertInvalidRequest(
    t,
    await get(`${app.url}/protected?access_token=${token}`, `Bearer ${token}`),
  );
});

test('two Authorization headers are an invalid request, even if both are valid', async (t) => {
  const response = await rawGet(`${app.url}/protected`, [
    `Authorization: Bearer ${token}`,
    `authorization: Bearer ${token}`,
  ]);
  assertInvalidRequest(t, response);
});

test('a Bearer and a Basic header together are an invalid request', async (t) => {
  const response = await rawGet(`${app.url}/protected`, [
    'AUTHORIZATION: Basic dXNlcjpwYXNz',
    `Authorization: Bearer ${token}`,
  ]);
  assertInvalidRequest(t, response);
});

const malformed = test.macro({
  async exec(t, header: string) {
    assertInvalidRequest(t, await rawGet(`${app.url}/protected`, [`Authorization: ${header}`]));
  },
  title: (_title, header) => `malformed header is a 400: ${JSON.stringify(header)}`,
});

test(malformed, 'Bearer');
test(malformed, 'Bearer a.b.c d.e.f');
test(malformed, 'Bearer a.b.c,');
test(malformed, 'Bearer tok@en');
test(malformed, 'Bearer "a.b.c"');
test(malformed, 'Bearer =abc');
test(malformed, '');
test(malformed, ' Bearer');
test(malformed, '{"Bearer": 1}');

// A token in the verified-token cache skips the syntax check (it passed it when it was verified):
// anything that differs from it by one character is not in the cache and is checked in full.
for (const [name, tamper] of [
  ['a space and more', (valid: string) => `${valid} ${valid}`],
  ['a comma', (valid: string) => `${valid},`],
  ['a quote', (valid: string) => `${valid}"`],
  ['padding before the end', (valid: string) => `${valid.slice(0, -1)}=${valid.slice(-1)}`],
] as const) {
  test(`a cached token with ${name} added is checked in full: 400`, async (t) => {
    t.is((await get(`${app.url}/protected`, `Bearer ${token}`)).status, 200);
    assertInvalidRequest(
      t,
      await rawGet(`${app.url}/protected`, [`Authorization: Bearer ${tamper(token)}`]),
    );
    t.is((await get(`${app.url}/protected`, `Bearer ${token}`)).status, 200);
  });
}

test('a well-formed token that is not a JWT is an invalid token', async (t) => {
  assertInvalidToken(t, await get(`${app.url}/protected`, 'Bearer abc.def.ghi'));
});

test('an oversized token is refused with invalid_token before any key lookup', async (t) => {
  const ownIssuer = await startIssuer([key.publicJwk]);
  const ownApp = await startTestApp({ jwksUri: ownIssuer.jwksUri, maxTokenLength: 2048 });
  try {
    const oversized = await mintToken(key, { claims: { padding: 'x'.repeat(2048) } });
    t.true(oversized.length > 2048);
    assertInvalidToken(t, await get(`${ownApp.url}/protected`, `Bearer ${oversized}`));
    t.is(ownIssuer.hits.size, 0);
  } finally {
    await ownApp.close();
    await ownIssuer.close();
  }
});

test('maxTokenLength is inclusive: a token of exactly that length is verified', async (t) => {
  const padded = await mintToken(key, { claims: { padding: 'x'.repeat(1000) } });
  const atLimit = await startTestApp({ jwksUri: issuer.jwksUri, maxTokenLength: padded.length });
  const belowLimit = await startTestApp({
    jwksUri: issuer.jwksUri,
    maxTokenLength: padded.length - 1,
  });
  try {
    t.is((await get(`${atLimit.url}/protected`, `Bearer ${padded}`)).status, 200);
    assertInvalidToken(t, await get(`${belowLimit.url}/protected`, `Bearer ${padded}`));
  } finally {
    await atLimit.close();
    await belowLimit.close();
  }
});

test('a realm option replaces the default realm', async (t) => {
  const custom = await startTestApp({ jwksUri: issuer.jwksUri, realm: 'notes api' });
  try {
    assertNoCredentials(t, await get(`${custom.url}/protected`), 'notes api');
    assertInvalidToken(t, await get(`${custom.url}/protected`, 'Bearer x.y.z'), 'notes api');
  } finally {
    await custom.close();
  }
});

test('optional auth: no token passes through without ctx.state.auth', async (t) => {
  const response = await get(`${app.url}/optional`);
  t.is(response.status, 200);
  t.deepEqual(response.body, {});
});

test('optional auth: another scheme passes through anonymously', async (t) => {
  t.is((await get(`${app.url}/optional`, 'Basic dXNlcjpwYXNz')).status, 200);
});

test('optional auth: a valid token sets ctx.state.auth', async (t) => {
  const response = await get(`${app.url}/optional`, `Bearer ${token}`);
  t.like(response.body, { auth: { subject: 'user-1' } });
});

test('optional auth: a presented bad token is still a 401', async (t) => {
  const expired = await mintToken(key, { claims: { exp: 1 } });
  assertInvalidToken(t, await get(`${app.url}/optional`, `Bearer ${expired}`));
});

test('optional auth: a malformed header is still a 400', async (t) => {
  assertInvalidRequest(t, await get(`${app.url}/optional`, 'Bearer a b'));
});

test('an error thrown after authentication is not turned into a 401', async (t) => {
  const response = await get(`${app.url}/boom`, `Bearer ${token}`);
  t.is(response.status, 500);
  t.is(response.headers.get('www-authenticate'), null);
});

test('error descriptions never echo the request', async (t) => {
  const marker = 'ATTACKERMARKER';
  const forged = await mintToken(key, {
    header: { kid: marker },
    claims: { iss: marker, aud: marker, sub: marker },
  });
  for (const header of [`Bearer ${forged}`, `Bearer ${marker}`, `Bearer ${marker} x`]) {
    const response = await get(`${app.url}/protected`, header);
    t.false(JSON.stringify(response.body).includes(marker));
    t.false((response.headers.get('www-authenticate') ?? '').includes(marker));
  }
});
