import test from 'ava';
import { call } from '../helpers/api-client.ts';
import { AUDIENCE, startStack, type TestStack } from '../helpers/start-api.ts';

let stack: TestStack;
test.before(async () => {
  stack = await startStack();
});
test.after.always(() => stack.close());

test('GET /me returns sub, client_id and scope of the token', async (t) => {
  const token = stack.issuer.mint(AUDIENCE, { sub: 'bob', client_id: 'cli', scope: 'notes:read' });
  const response = await call(`${stack.api.url}/me`, { token });
  t.is(response.status, 200);
  t.deepEqual(response.body, { sub: 'bob', client_id: 'cli', scope: 'notes:read' });
  // Written as a string: the same headers as Koa gives an object body.
  t.is(response.headers.get('content-type'), 'application/json; charset=utf-8');
  const length = JSON.stringify(response.body).length;
  t.is(response.headers.get('content-length'), String(length));
  const head = await call(`${stack.api.url}/me`, { method: 'HEAD', token });
  t.is(head.status, 200);
  t.is(head.headers.get('content-type'), 'application/json; charset=utf-8');
  t.is(head.headers.get('content-length'), String(length));
  t.is(head.body, undefined);
});

test('GET /me answers each token with its own claims, again and again (kept per verified token)', async (t) => {
  const tokens = [
    stack.issuer.mint(AUDIENCE, { sub: 'carol', client_id: 'app-1', scope: 'notes:read' }),
    stack.issuer.mint(AUDIENCE, { sub: 'dave', client_id: 'app-2', scope: 'notes:write' }),
  ];
  const expected = [
    { sub: 'carol', client_id: 'app-1', scope: 'notes:read' },
    { sub: 'dave', client_id: 'app-2', scope: 'notes:write' },
  ];
  // Each token three times, alternating: the second and third answers come from the cache.
  for (const round of [0, 1, 2]) {
    for (const [i, token] of tokens.entries()) {
      const response = await call(`${stack.api.url}/me`, { token });
      t.is(response.status, 200, `round ${round}, token ${i}`);
      t.deepEqual(response.body, expected[i]);
    }
  }
});

test('GET /me of a delegated token names the actors, the current one first', async (t) => {
  const act = { sub: 'billing-service', act: { sub: 'orders-service' } };
  const token = stack.issuer.mint(AUDIENCE, { sub: 'bob', client_id: 'billing-service', act });
  const response = await call(`${stack.api.url}/me`, { token });
  t.is(response.status, 200);
  t.like(response.body, { sub: 'bob', actor: ['billing-service', 'orders-service'] });
});

test('GET /me needs no particular scope', async (t) => {
  const token = stack.issuer.mint(AUDIENCE, { scope: undefined });
  const response = await call(`${stack.api.url}/me`, { token });
  t.is(response.status, 200);
  t.like(response.body, { sub: 'alice', scope: '' });
});

test('GET /me without a token: 401 with a bare Bearer challenge', async (t) => {
  const response = await call(`${stack.api.url}/me`);
  t.is(response.status, 401);
  t.is(response.headers.get('www-authenticate'), `Bearer realm="${AUDIENCE}"`);
});

test('GET /me with a token for another API: 401 invalid_token', async (t) => {
  const token = stack.issuer.mint('http://localhost:9999');
  const response = await call(`${stack.api.url}/me`, { token });
  t.is(response.status, 401);
  t.regex(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  t.like(response.body, { error: 'invalid_token' });
});

test('GET /me with an ID token (typ JWT) signed by the issuer: 401', async (t) => {
  const claims = JSON.parse(
    Buffer.from(stack.issuer.mint(AUDIENCE).split('.')[1]!, 'base64url').toString(),
  );
  const idToken = stack.issuer.sign({ alg: 'ES256', typ: 'JWT' }, claims);
  t.is((await call(`${stack.api.url}/me`, { token: idToken })).status, 401);
});
