import test from 'ava';
import { call } from '../helpers/api-client.ts';
import { startStack, type TestStack } from '../helpers/start-api.ts';

let stack: TestStack;
test.before(async () => {
  stack = await startStack();
});
test.after.always(() => stack.close());

test('GET /healthz answers 200 {"status":"ok"} without a token', async (t) => {
  const response = await call(`${stack.api.url}/healthz`);
  t.is(response.status, 200);
  t.deepEqual(response.body, { status: 'ok' });
});

test('GET /healthz ignores a bad token (no authentication there)', async (t) => {
  t.is((await call(`${stack.api.url}/healthz`, { token: 'not.a.token' })).status, 200);
});

test('HEAD /healthz answers 200', async (t) => {
  t.is((await call(`${stack.api.url}/healthz`, { method: 'HEAD' })).status, 200);
});
