import test from 'ava';
import { createResourceServer, ResourceServerConfigError } from '../../src/index.ts';
import { assertInvalidToken } from '../helpers/assertions.ts';
import { generateTestKey, type TestKey } from '../helpers/keys.ts';
import { AUDIENCE, ISSUER, mintToken, NOW } from '../helpers/mint-token.ts';
import { get } from '../helpers/request.ts';
import { startIssuer, type TestIssuer } from '../helpers/start-issuer.ts';
import { startTestApp, type TestApp } from '../helpers/start-test-app.ts';

// maxTokenAgeSeconds: 600 with the default 30 s leeway; `auth_time` and `acr` required. The clock
// is movable so cached tokens can be aged.
let key: TestKey;
let issuer: TestIssuer;
let app: TestApp;
let clock = NOW * 1000;

test.before(async () => {
  key = await generateTestKey('key-1');
  issuer = await startIssuer([key.publicJwk]);
  app = await startTestApp({
    jwksUri: issuer.jwksUri,
    maxTokenAgeSeconds: 600,
    requiredClaims: ['auth_time', 'acr'],
    now: () => clock,
  });
});

test.after.always(async () => {
  await app.close();
  await issuer.close();
});

const extra = { auth_time: NOW - 700, acr: '1' };

test.serial('a token issued within the maximum age is accepted', async (t) => {
  clock = NOW * 1000;
  const token = await mintToken(key, { claims: { ...extra, iat: NOW - 600, exp: NOW + 300 } });
  t.is((await get(`${app.url}/protected`, `Bearer ${token}`)).status, 200);
});

test.serial(
  'a token older than the maximum age (plus leeway) is refused before its exp',
  async (t) => {
    clock = NOW * 1000;
    const token = await mintToken(key, { claims: { ...extra, iat: NOW - 631, exp: NOW + 300 } });
    const response = await get(`${app.url}/protected`, `Bearer ${token}`);
    assertInvalidToken(t, response);
    t.is(response.body?.error_description, 'the access token is older than this resource accepts');
  },
);

test.serial('a cached token is refused once it reaches the maximum age', async (t) => {
  clock = NOW * 1000;
  const token = await mintToken(key, { claims: { ...extra, iat: NOW, exp: NOW + 3600 } });
  t.is((await get(`${app.url}/protected`, `Bearer ${token}`)).status, 200);
  clock = (NOW + 600) * 1000;
  t.is((await get(`${app.url}/protected`, `Bearer ${token}`)).status, 200, 'cached, in age');
  clock = (NOW + 631) * 1000;
  assertInvalidToken(t, await get(`${app.url}/protected`, `Bearer ${token}`));
  clock = NOW * 1000;
});

for (const claim of ['auth_time', 'acr']) {
  test.serial(`a token without the configured required claim ${claim} is refused`, async (t) => {
    clock = NOW * 1000;
    const token = await mintToken(key, { claims: extra, omit: [claim] });
    const response = await get(`${app.url}/protected`, `Bearer ${token}`);
    assertInvalidToken(t, response);
    t.is(response.body?.error_description, 'the access token lacks a required claim');
  });
}

test('bad maxTokenAgeSeconds and requiredClaims are configuration errors naming the key', (t) => {
  const bad: Array<[string, Record<string, unknown>]> = [
    ['maxTokenAgeSeconds', { maxTokenAgeSeconds: 0 }],
    ['maxTokenAgeSeconds', { maxTokenAgeSeconds: 1.5 }],
    ['maxTokenAgeSeconds', { maxTokenAgeSeconds: '600' }],
    ['requiredClaims', { requiredClaims: 'acr' }],
    ['requiredClaims', { requiredClaims: [''] }],
    ['requiredClaims', { requiredClaims: ['acr', 'acr'] }],
    ['requiredClaims', { requiredClaims: [1] }],
  ];
  for (const [name, options] of bad) {
    const error = t.throws(
      () => createResourceServer({ issuer: ISSUER, audience: AUDIENCE, ...options } as never),
      {
        instanceOf: ResourceServerConfigError,
      },
    );
    t.regex(error?.message ?? '', new RegExp(name));
  }
});
