import { randomBytes } from 'node:crypto';
import test from 'ava';
import { assertInvalidToken } from '../helpers/assertions.ts';
import { generateTestKey, type TestKey } from '../helpers/keys.ts';
import { mintToken } from '../helpers/mint-token.ts';
import { get } from '../helpers/request.ts';
import {
  activeAnswer,
  startIntrospectionServer,
  type TestIntrospectionServer,
} from '../helpers/start-introspection-server.ts';
import { startTestApp, type TestApp } from '../helpers/start-test-app.ts';

// `ctx.state.auth.actor`: the actor chain of a delegated token (RFC 8693 `act`), current actor
// first, from a JWT and from an introspection answer alike; a malformed `act` is an invalid token.

let key: TestKey;
let server: TestIntrospectionServer;
let app: TestApp;

test.before(async () => {
  key = await generateTestKey('key-1');
  server = await startIntrospectionServer();
  server.keys = [key.publicJwk];
  app = await startTestApp({
    jwksUri: `${server.url}/jwks`,
    introspection: { endpoint: server.endpoint, clientId: 'rs', clientSecret: 'secret' },
  });
});
test.after.always(async () => {
  await app?.close();
  await server?.close();
});

const actorOf = async (token: string) => {
  const response = await get(`${app.url}/protected`, `Bearer ${token}`);
  return { response, actor: (response.body?.auth as { actor?: unknown } | undefined)?.actor };
};

test('a JWT without act: no actor', async (t) => {
  const { response, actor } = await actorOf(await mintToken(key));
  t.is(response.status, 200);
  t.deepEqual(actor, []);
});

test('a JWT with a chain: the current actor first, the earliest last', async (t) => {
  const act = { sub: 'billing-service', act: { sub: 'orders-service' } };
  const { response, actor } = await actorOf(await mintToken(key, { claims: { act } }));
  t.is(response.status, 200);
  t.deepEqual(actor, ['billing-service', 'orders-service']);
});

test('an opaque token whose introspection answer has act', async (t) => {
  const token = randomBytes(32).toString('base64url');
  server.answers.set(token, activeAnswer({ act: { sub: 'orders-service' } }));
  const { response, actor } = await actorOf(token);
  t.is(response.status, 200);
  t.deepEqual(actor, ['orders-service']);
});

const malformed: Array<[string, unknown]> = [
  ['a string', 'orders-service'],
  ['null', null],
  ['a list', [{ sub: 'orders-service' }]],
  ['no sub', { client_id: 'orders-service' }],
  ['an empty sub', { sub: '' }],
  ['a numeric sub', { sub: 42 }],
  ['a malformed nested act', { sub: 'a', act: { sub: ['b'] } }],
  [
    'eleven actors',
    Array.from({ length: 11 }, (_, i) => `actor-${i}`).reduceRight<unknown>(
      (inner, sub) => (inner === undefined ? { sub } : { sub, act: inner }),
      undefined,
    ),
  ],
];
for (const [what, act] of malformed) {
  test(`an act claim that is ${what}: 401 invalid_token`, async (t) => {
    const { response } = await actorOf(await mintToken(key, { claims: { act } }));
    assertInvalidToken(t, response);
  });
}

test('ten actors are read', async (t) => {
  const subs = Array.from({ length: 10 }, (_, i) => `actor-${i}`);
  const act = subs.reduceRight<unknown>(
    (inner, sub) => (inner === undefined ? { sub } : { sub, act: inner }),
    undefined,
  );
  const { response, actor } = await actorOf(await mintToken(key, { claims: { act } }));
  t.is(response.status, 200);
  t.deepEqual(actor, subs);
});
