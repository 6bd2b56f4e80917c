import test from 'ava';
import { assertInvalidToken } from '../helpers/assertions.ts';
import { generateTestKey, type TestKey } from '../helpers/keys.ts';
import { AUDIENCE, ISSUER, type MintOptions, mintToken, NOW } from '../helpers/mint-token.ts';
import { get } from '../helpers/request.ts';
import { startIssuer, type TestIssuer } from '../helpers/start-issuer.ts';
import { startTestApp, type TestApp } from '../helpers/start-test-app.ts';

// Every app here runs at the frozen `NOW` with the default 30 s leeway.
let key: TestKey;
let issuer: TestIssuer;
let app: TestApp;

test.before(async () => {
  key = await generateTestKey('key-1');
  issuer = await startIssuer([key.publicJwk]);
  app = await startTestApp({ jwksUri: issuer.jwksUri });
});

test.after.always(async () => {
  await app.close();
  await issuer.close();
});

const accepted = test.macro({
  async exec(t, options: MintOptions) {
    const response = await get(`${app.url}/protected`, `Bearer ${await mintToken(key, options)}`);
    t.is(response.status, 200);
  },
  title: (title = '') => `accepts ${title}`,
});

const refused = test.macro({
  async exec(t, options: MintOptions, description?: string) {
    const response = await get(`${app.url}/protected`, `Bearer ${await mintToken(key, options)}`);
    assertInvalidToken(t, response);
    if (description !== undefined) t.is(response.body?.error_description, description);
  },
  title: (title = '') => `refuses ${title}`,
});

const notAccessToken = 'the token is not an access token (typ must be at+jwt)';
test('typ application/at+jwt', accepted, { header: { typ: 'application/at+jwt' } });
test('typ AT+JWT (case-insensitive)', accepted, { header: { typ: 'AT+JWT' } });
test('typ Application/At+Jwt (case-insensitive)', accepted, {
  header: { typ: 'Application/At+Jwt' },
});
test('an ID token (typ JWT)', refused, { header: { typ: 'JWT' } }, notAccessToken);
test('a token without typ', refused, { header: { typ: undefined } }, notAccessToken);
test('a DPoP proof (typ dpop+jwt)', refused, { header: { typ: 'dpop+jwt' } }, notAccessToken);
test('a logout token (typ logout+jwt)', refused, { header: { typ: 'logout+jwt' } }, notAccessToken);
test('typ application/jwt', refused, { header: { typ: 'application/jwt' } }, notAccessToken);
test('typ with parameters', refused, { header: { typ: 'at+jwt; charset=utf-8' } });

test(
  'another issuer',
  refused,
  { claims: { iss: 'https://evil.example.test' } },
  'the access token was issued by another issuer',
);
test('the issuer with a trailing slash', refused, { claims: { iss: `${ISSUER}/` } });
test('the issuer in other case', refused, { claims: { iss: ISSUER.toUpperCase() } });
test('an issuer array', refused, { claims: { iss: [ISSUER] } });
test(
  'another audience',
  refused,
  { claims: { aud: 'https://other.example.test' } },
  'the access token is not intended for this resource',
);
test('an audience array without this API', refused, {
  claims: { aud: ['https://a.test', 'https://b.test'] },
});
test('an audience prefix', refused, { claims: { aud: AUDIENCE.slice(0, -1) } });
test('an audience array containing this API', accepted, {
  claims: { aud: ['https://other.test', AUDIENCE] },
});

for (const claim of ['iss', 'aud', 'exp', 'iat', 'sub', 'client_id', 'jti']) {
  test(`a token without ${claim}`, refused, { omit: [claim] });
}
test('a numeric sub', refused, { claims: { sub: 42 } });
test('an empty sub', refused, { claims: { sub: '' } });
test('a client_id array', refused, { claims: { client_id: ['client-1'] } });
test('a numeric jti', refused, { claims: { jti: 7 } });
test('a string exp', refused, { claims: { exp: String(NOW + 300) } });
test('a string iat', refused, { claims: { iat: String(NOW) } });
test('a scope array', refused, { claims: { scope: ['notes:read'] } });
test('a token without scope (no scopes)', accepted, { omit: ['scope'] });

// jose treats exp as expired when exp <= now - leeway, and nbf as early when nbf > now + leeway.
test('exp 29 s ago (inside the leeway)', accepted, { claims: { exp: NOW - 29 } });
test(
  'exp 30 s ago (at the leeway)',
  refused,
  { claims: { exp: NOW - 30 } },
  'the access token has expired',
);
test('exp an hour ago', refused, { claims: { exp: NOW - 3600, iat: NOW - 4000 } });
test('nbf 30 s ahead (at the leeway)', accepted, { claims: { nbf: NOW + 30 } });
test('nbf 31 s ahead', refused, { claims: { nbf: NOW + 31 } }, 'the access token is not valid yet');
test('iat 30 s ahead (at the leeway)', accepted, { claims: { iat: NOW + 30 } });
test('iat 31 s ahead', refused, { claims: { iat: NOW + 31 } });

test('clockToleranceSeconds sets the leeway', async (t) => {
  const strict = await startTestApp({ jwksUri: issuer.jwksUri, clockToleranceSeconds: 0 });
  try {
    const now = await mintToken(key, { claims: { exp: NOW } });
    const later = await mintToken(key, { claims: { exp: NOW + 1 } });
    assertInvalidToken(t, await get(`${strict.url}/protected`, `Bearer ${now}`));
    t.is((await get(`${strict.url}/protected`, `Bearer ${later}`)).status, 200);
  } finally {
    await strict.close();
  }
});
