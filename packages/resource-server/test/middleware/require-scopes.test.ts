import test from 'ava';
import { assertInsufficientScope, assertNoCredentials } from '../helpers/assertions.ts';
import { generateTestKey, type TestKey } from '../helpers/keys.ts';
import { mintToken } from '../helpers/mint-token.ts';
import { get } from '../helpers/request.ts';
import { startIssuer, type TestIssuer } from '../helpers/start-issuer.ts';
import { startTestApp, type TestApp } from '../helpers/start-test-app.ts';

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

const withScope = async (path: string, scope: unknown) =>
  get(`${app.url}${path}`, `Bearer ${await mintToken(key, { claims: { scope } })}`);

test('the exact scope passes', async (t) => {
  t.is((await withScope('/read', 'notes:read')).status, 200);
});

test('the scope among others passes', async (t) => {
  t.is((await withScope('/read', 'profile notes:read  email')).status, 200);
});

const nearMiss = test.macro({
  async exec(t, scope: string) {
    assertInsufficientScope(t, await withScope('/read', scope), 'notes:read');
  },
  title: (_title, scope) => `a near miss is refused: ${JSON.stringify(scope)}`,
});

test(nearMiss, 'notes:readx');
test(nearMiss, 'notes');
test(nearMiss, 'notes:');
test(nearMiss, 'NOTES:READ');
test(nearMiss, 'xnotes:read');
test(nearMiss, 'notes:read,notes:write');
test(nearMiss, 'notes:write\tnotes:read');
test(nearMiss, 'notes:write');
test(nearMiss, '');

test('no scope claim is refused', async (t) => {
  const token = await mintToken(key, { omit: ['scope'] });
  assertInsufficientScope(t, await get(`${app.url}/read`, `Bearer ${token}`), 'notes:read');
});

test('several required scopes: all must be granted, and all are named', async (t) => {
  assertInsufficientScope(
    t,
    await withScope('/read-write', 'notes:read'),
    'notes:read notes:write',
  );
  assertInsufficientScope(
    t,
    await withScope('/read-write', 'notes:write'),
    'notes:read notes:write',
  );
  t.is((await withScope('/read-write', 'notes:write notes:read')).status, 200);
});

test('after optional auth without a token, a scope rule answers 401 without error', async (t) => {
  assertNoCredentials(t, await get(`${app.url}/optional-read`));
});

test('after optional auth with a token, the scope rule applies', async (t) => {
  assertInsufficientScope(t, await withScope('/optional-read', 'notes:write'), 'notes:read');
  t.is((await withScope('/optional-read', 'notes:read')).status, 200);
});

test('requireScopes without authenticate fails closed (500, not public)', async (t) => {
  const response = await withScope('/misconfigured', 'notes:read');
  t.is(response.status, 500);
});
