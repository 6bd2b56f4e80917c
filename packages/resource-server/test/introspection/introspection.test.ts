import { randomBytes } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import type { IntrospectionOptions } from '../../src/index.ts';
import {
  assertInvalidToken,
  assertNoCredentials,
  assertUnavailable,
} from '../helpers/assertions.ts';
import { generateTestKey, type TestKey } from '../helpers/keys.ts';
import { AUDIENCE, ISSUER, mintToken, NOW } from '../helpers/mint-token.ts';
import { get, type TestResponse } from '../helpers/request.ts';
import { closedPortUrl } from '../helpers/start-http-server.ts';
import {
  activeAnswer,
  startIntrospectionServer,
  type TestIntrospectionServer,
} from '../helpers/start-introspection-server.ts';
import { startTestApp, type TestApp } from '../helpers/start-test-app.ts';

const CLIENT_ID = 'rs client';
const CLIENT_SECRET = 'p@ss:word+/=';

let key: TestKey;
let server: TestIntrospectionServer;
let app: TestApp;

/** A fresh opaque token (43 base64url characters, like oidc-provider's). */
const opaque = () => randomBytes(32).toString('base64url');
const callsFor = (token: string) => server.calls.filter((c) => c.form.get('token') === token);

async function startApp(
  options: { now?: () => number; introspection?: Partial<IntrospectionOptions> } = {},
) {
  return startTestApp({
    jwksUri: `${server.url}/jwks`,
    ...(options.now && { now: options.now }),
    introspection: {
      endpoint: server.endpoint,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      ...options.introspection,
    },
  });
}

test.before(async () => {
  key = await generateTestKey('key-1');
  server = await startIntrospectionServer();
  server.keys = [key.publicJwk];
  app = await startApp();
});

test.after.always(async () => {
  await app.close();
  await server.close();
});

function assertRefused(t: ExecutionContext, response: TestResponse, description: string) {
  assertInvalidToken(t, response);
  t.is(response.body?.error_description, description);
}

test('an active opaque token is accepted: ctx.state.auth says opaque', async (t) => {
  const token = opaque();
  server.answers.set(token, activeAnswer({ scope: 'notes:read  notes:write notes:read' }));
  const response = await get(`${app.url}/read-write`, `Bearer ${token}`);
  t.is(response.status, 200);
  t.like(response.body, {
    auth: {
      subject: 'user-1',
      clientId: 'client-1',
      token: 'opaque',
      scope: 'notes:read notes:write',
    },
  });
  t.deepEqual((response.body?.auth as { scopes?: string[] } | undefined)?.scopes, [
    'notes:read',
    'notes:write',
  ]);
});

test('the request uses HTTP Basic with form-encoded credentials and a form body', async (t) => {
  const token = opaque();
  server.answers.set(token, activeAnswer());
  await get(`${app.url}/protected`, `Bearer ${token}`);
  const [call] = callsFor(token);
  const expected = Buffer.from('rs+client:p%40ss%3Aword%2B%2F%3D').toString('base64');
  t.is(call?.authorization, `Basic ${expected}`);
  t.is(call?.contentType, 'application/x-www-form-urlencoded');
  t.is(call?.form.get('token_type_hint'), 'access_token');
});

test('an answer is cached: the second request does not call the endpoint', async (t) => {
  const token = opaque();
  server.answers.set(token, activeAnswer());
  t.is((await get(`${app.url}/protected`, `Bearer ${token}`)).status, 200);
  t.is((await get(`${app.url}/protected`, `Bearer ${token}`)).status, 200);
  t.is(callsFor(token).length, 1);
});

test('concurrent requests with one token share one call', async (t) => {
  const token = opaque();
  server.answers.set(token, activeAnswer());
  const responses = await Promise.all(
    Array.from({ length: 5 }, () => get(`${app.url}/protected`, `Bearer ${token}`)),
  );
  t.deepEqual(
    responses.map((r) => r.status),
    [200, 200, 200, 200, 200],
  );
  t.is(callsFor(token).length, 1);
});

test('the cache holds an answer at most maxCacheSeconds', async (t) => {
  const clock = { now: NOW * 1000 };
  const own = await startApp({ now: () => clock.now, introspection: { maxCacheSeconds: 10 } });
  t.teardown(own.close);
  const token = opaque();
  server.answers.set(token, activeAnswer());
  await get(`${own.url}/protected`, `Bearer ${token}`);
  clock.now = (NOW + 9) * 1000;
  await get(`${own.url}/protected`, `Bearer ${token}`);
  t.is(callsFor(token).length, 1);
  clock.now = (NOW + 10) * 1000;
  // Revoked meanwhile: the next call learns it.
  server.answers.set(token, { active: false });
  assertRefused(
    t,
    await get(`${own.url}/protected`, `Bearer ${token}`),
    'the access token is not active',
  );
  t.is(callsFor(token).length, 2);
});

test('the cache never serves a token past its exp', async (t) => {
  const clock = { now: NOW * 1000 };
  const own = await startApp({ now: () => clock.now });
  t.teardown(own.close);
  const token = opaque();
  server.answers.set(token, activeAnswer({ exp: NOW + 5 }));
  t.is((await get(`${own.url}/protected`, `Bearer ${token}`)).status, 200);
  clock.now = (NOW + 5) * 1000;
  // The (stale) endpoint still says active: the exp check refuses anyway.
  assertRefused(
    t,
    await get(`${own.url}/protected`, `Bearer ${token}`),
    'the access token has expired',
  );
  t.is(callsFor(token).length, 2);
});

test('maxCacheSeconds 0 asks on every request', async (t) => {
  const own = await startApp({ introspection: { maxCacheSeconds: 0 } });
  t.teardown(own.close);
  const token = opaque();
  server.answers.set(token, activeAnswer());
  await get(`${own.url}/protected`, `Bearer ${token}`);
  await get(`${own.url}/protected`, `Bearer ${token}`);
  t.is(callsFor(token).length, 2);
});

test('an inactive token is refused, and the refusal is cached for 5 s only', async (t) => {
  const clock = { now: NOW * 1000 };
  const own = await startApp({ now: () => clock.now });
  t.teardown(own.close);
  const token = opaque();
  for (const seconds of [0, 1, 4]) {
    clock.now = (NOW + seconds) * 1000;
    assertRefused(
      t,
      await get(`${own.url}/protected`, `Bearer ${token}`),
      'the access token is not active',
    );
  }
  t.is(callsFor(token).length, 1, 'a flood of one bad token is one call per 5 s');
  clock.now = (NOW + 5) * 1000;
  await get(`${own.url}/protected`, `Bearer ${token}`);
  t.is(callsFor(token).length, 2);
});

const refusedAnswer = test.macro({
  async exec(t, answer: Record<string, unknown>, description: string) {
    const token = opaque();
    server.answers.set(token, answer);
    assertRefused(t, await get(`${app.url}/protected`, `Bearer ${token}`), description);
  },
  title: (title = '') => `refused answer: ${title}`,
});

test('active false', refusedAnswer, { active: false }, 'the access token is not active');
test(
  'another audience',
  refusedAnswer,
  activeAnswer({ aud: 'https://other.example.test' }),
  'the access token is not intended for this resource',
);
test(
  'no audience at all',
  refusedAnswer,
  activeAnswer({ aud: undefined }),
  'the access token is not intended for this resource',
);
test(
  'another issuer',
  refusedAnswer,
  activeAnswer({ iss: `${ISSUER}/` }),
  'the access token was issued by another issuer',
);
test('expired', refusedAnswer, activeAnswer({ exp: NOW }), 'the access token has expired');
test(
  'no exp',
  refusedAnswer,
  activeAnswer({ exp: undefined }),
  'the access token lacks a required claim',
);
test(
  'exp as a string',
  refusedAnswer,
  activeAnswer({ exp: String(NOW + 300) }),
  'the access token has an invalid claim',
);
test(
  'nbf in the future beyond the leeway',
  refusedAnswer,
  activeAnswer({ nbf: NOW + 31 }),
  'the access token is not valid yet',
);
test(
  'no client_id',
  refusedAnswer,
  activeAnswer({ client_id: undefined }),
  'the access token lacks a required claim',
);
test(
  'a refresh token (token_type refresh_token)',
  refusedAnswer,
  activeAnswer({ token_type: 'refresh_token' }),
  'the token is not an access token',
);
test(
  'a refresh token (token_use, as Hydra says it)',
  refusedAnswer,
  activeAnswer({ token_use: 'refresh_token' }),
  'the token is not an access token',
);
test(
  'scope not a string',
  refusedAnswer,
  activeAnswer({ scope: ['notes:read'] }),
  'the access token has an invalid claim',
);
test(
  'a DPoP-bound token presented as Bearer',
  refusedAnswer,
  activeAnswer({ token_type: 'DPoP', cnf: { jkt: 'abc' } }),
  'the access token is bound to a key and cannot be used as a Bearer token',
);

test('an aud array containing the audience, no iss and no sub are accepted', async (t) => {
  const token = opaque();
  server.answers.set(
    token,
    activeAnswer({ aud: ['https://other.example.test', AUDIENCE], iss: undefined, sub: undefined }),
  );
  const response = await get(`${app.url}/protected`, `Bearer ${token}`);
  t.is(response.status, 200);
  // RFC 9068 §2.2: a token a client got for itself speaks for that client.
  t.like(response.body, { auth: { subject: 'client-1', clientId: 'client-1' } });
});

test('JWTs are verified locally and never sent to introspection', async (t) => {
  const jwt = await mintToken(key);
  t.is((await get(`${app.url}/protected`, `Bearer ${jwt}`)).status, 200);
  assertInvalidToken(t, await get(`${app.url}/protected`, 'Bearer abc.def.ghi'));
  // A JWE (five segments) is refused as before, not introspected.
  assertInvalidToken(t, await get(`${app.url}/protected`, 'Bearer a.b.c.d.e'));
  for (const token of [jwt, 'abc.def.ghi', 'a.b.c.d.e']) t.is(callsFor(token).length, 0);
});

test('without the introspection option, an opaque token is an invalid token', async (t) => {
  const plain = await startTestApp({ jwksUri: `${server.url}/jwks` });
  t.teardown(plain.close);
  const token = opaque();
  server.answers.set(token, activeAnswer());
  assertInvalidToken(t, await get(`${plain.url}/protected`, `Bearer ${token}`));
  t.is(callsFor(token).length, 0);
  assertNoCredentials(t, await get(`${plain.url}/protected`));
});

test('endpoint unreachable: 503, then fail fast for the cooldown, then try again', async (t) => {
  const clock = { now: NOW * 1000 };
  const down = await startTestApp({
    now: () => clock.now,
    introspection: { endpoint: await closedPortUrl(), clientId: 'c', clientSecret: 's' },
  });
  t.teardown(down.close);
  assertUnavailable(t, await get(`${down.url}/protected`, `Bearer ${opaque()}`));
  t.is(down.loggedErrors.length, 1, 'the failed call is logged');
  const fast = await get(`${down.url}/protected`, `Bearer ${opaque()}`);
  assertUnavailable(t, fast);
  t.is(fast.headers.get('retry-after'), '30');
  t.is(down.loggedErrors.length, 1, 'fast failures are not logged again');
  clock.now = (NOW + 30) * 1000;
  assertUnavailable(t, await get(`${down.url}/protected`, `Bearer ${opaque()}`));
  t.is(down.loggedErrors.length, 2, 'a new attempt after the cooldown');
});

const unavailableWhen = test.macro({
  async exec(t, setup: (s: TestIntrospectionServer) => void, timeoutMs: number = 5_000) {
    const own = await startIntrospectionServer();
    setup(own);
    // Only the timeout case waits for the timeout: elsewhere a generous one, so a slow machine
    // cannot turn "answers 500" into "did not answer".
    const ownApp = await startTestApp({
      jwks: { timeoutMs },
      introspection: { endpoint: own.endpoint, clientId: 'c', clientSecret: 's' },
    });
    t.teardown(() => Promise.all([ownApp.close(), own.close()]));
    const token = opaque();
    own.answers.set(token, activeAnswer());
    assertUnavailable(t, await get(`${ownApp.url}/protected`, `Bearer ${token}`));
    t.is(own.calls.length, 1);
  },
  title: (title = '') => `503 when the endpoint ${title}`,
});

test('answers 500', unavailableWhen, (s) => {
  s.failWith = 500;
});
test('refuses our client authentication (401)', unavailableWhen, (s) => {
  s.failWith = 401;
});
test('answers a redirect (not followed)', unavailableWhen, (s) => {
  s.failWith = 302;
});
test('answers something that is not JSON', unavailableWhen, (s) => {
  s.rawBody = '<html>';
});
test('answers JSON without active', unavailableWhen, (s) => {
  s.rawBody = '{"sub":"x"}';
});
test('answers active as a string', unavailableWhen, (s) => {
  s.rawBody = JSON.stringify(activeAnswer({ active: 'true' }));
});
test('answers an oversized body', unavailableWhen, (s) => {
  s.rawBody = JSON.stringify({ active: false, padding: 'x'.repeat(70_000) });
});
test(
  'does not answer within the timeout',
  unavailableWhen,
  (s) => {
    s.delayMs = 4_000;
  },
  1_500,
);

test('the endpoint is discovered from the issuer metadata', async (t) => {
  const own = await startIntrospectionServer();
  const ownApp = await startTestApp({
    issuer: own.url,
    introspection: { clientId: 'c', clientSecret: 's' },
  });
  t.teardown(() => Promise.all([ownApp.close(), own.close()]));
  const token = opaque();
  own.answers.set(token, activeAnswer({ iss: own.url }));
  t.is((await get(`${ownApp.url}/protected`, `Bearer ${token}`)).status, 200);
  t.is(own.calls.length, 1);
});

test('metadata naming another issuer is refused: the secret is never sent', async (t) => {
  const own = await startIntrospectionServer();
  own.metadata = { issuer: 'https://evil.example.test' };
  const ownApp = await startTestApp({
    issuer: own.url,
    introspection: { clientId: 'c', clientSecret: 's' },
  });
  t.teardown(() => Promise.all([ownApp.close(), own.close()]));
  assertUnavailable(t, await get(`${ownApp.url}/protected`, `Bearer ${opaque()}`));
  t.is(own.calls.length, 0);
});
