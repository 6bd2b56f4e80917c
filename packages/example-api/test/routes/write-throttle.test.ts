import test from 'ava';
import { createExampleApi } from '../../src/index.ts';
import { call } from '../helpers/api-client.ts';
import { AUDIENCE, startStack, type TestStack } from '../helpers/start-api.ts';

// Rates per hour: the sliding window then moves too little during a test to let one more in.
const post = (stack: TestStack, token: string) =>
  call(`${stack.api.url}/notes`, { method: 'POST', token, body: { text: 'x' } });

test('writes over the configured rate: 429 with Retry-After, per client', async (t) => {
  const stack = await startStack({ throttle: { rate: '3/hour' } });
  t.teardown(() => stack.close());
  const a = stack.issuer.mint(AUDIENCE, { client_id: 'client-a', scope: 'notes:read notes:write' });
  const created = await post(stack, a);
  t.is(created.status, 201);
  t.is((await post(stack, a)).status, 201);
  // DELETE counts in the same bucket as POST.
  const id = (created.body as { id: string }).id;
  t.is((await call(`${stack.api.url}/notes/${id}`, { method: 'DELETE', token: a })).status, 204);

  const limited = await post(stack, a);
  t.is(limited.status, 429);
  const retryAfter = Number(limited.headers.get('retry-after'));
  // Sliding window (3/hour, all 3 used in the current clock hour): they weigh on the next hour
  // until a third of it has passed, so the wait is 4,800 s less the time since the hour began.
  const sinceHour = Math.floor(Date.now() / 1000) % 3600;
  t.true(Math.abs(retryAfter - (4800 - sinceHour)) <= 2, `${retryAfter}`);
  t.is(limited.headers.get('www-authenticate'), null);
  t.like(limited.body, { error: 'rate_limited' });
  t.is(limited.headers.get('cache-control'), 'no-store');
  // The refused note was not stored; the one left cannot be deleted now either.
  const left = (await call(`${stack.api.url}/notes`, { token: a })).body as { id: string }[];
  t.is(left.length, 1);
  const url = `${stack.api.url}/notes/${left[0]!.id}`;
  t.is((await call(url, { method: 'DELETE', token: a })).status, 429);
});

test("other clients and reads are not affected by one client's limit", async (t) => {
  const stack = await startStack({ throttle: { rate: '1/hour' } });
  t.teardown(() => stack.close());
  const a = stack.issuer.mint(AUDIENCE, { client_id: 'client-a', scope: 'notes:read notes:write' });
  t.is((await post(stack, a)).status, 201);
  t.is((await post(stack, a)).status, 429);
  // The same user through another client has a bucket of its own.
  const b = stack.issuer.mint(AUDIENCE, { client_id: 'client-b', scope: 'notes:write' });
  t.is((await post(stack, b)).status, 201);
  for (let i = 0; i < 3; i += 1) {
    t.is((await call(`${stack.api.url}/notes`, { token: a })).status, 200);
  }
});

test('requests the rules refuse do not use up the rate', async (t) => {
  const stack = await startStack({ throttle: { rate: '1/hour' } });
  t.teardown(() => stack.close());
  const reader = stack.issuer.mint(AUDIENCE, { client_id: 'client-a', scope: 'notes:read' });
  for (let i = 0; i < 3; i += 1) t.is((await post(stack, reader)).status, 403);
  const writer = stack.issuer.mint(AUDIENCE, { client_id: 'client-a', scope: 'notes:write' });
  t.is((await post(stack, writer)).status, 201);
});

test('throttle: false turns the limit off', async (t) => {
  const stack = await startStack({ throttle: false });
  t.teardown(() => stack.close());
  const token = stack.issuer.mint(AUDIENCE, { scope: 'notes:write' });
  // With { rate: '1/hour' } the second of these would be refused.
  for (let i = 0; i < 5; i += 1) t.is((await post(stack, token)).status, 201);
});

test('the throttle option is validated at creation', (t) => {
  const base = { issuer: 'http://localhost:3000', audience: AUDIENCE };
  const error = t.throws(() => createExampleApi({ ...base, throttle: { rate: '10 per minute' } }));
  t.like(error, { code: 'ERR_RS_CONFIG', key: 'throttle.rate' });
  t.throws(() => createExampleApi({ ...base, throttle: { rate: '1/s', by: 'subject' } as never }), {
    instanceOf: TypeError,
    message: /unknown option "throttle.by"/,
  });
  t.throws(() => createExampleApi({ ...base, throttle: true as never }), {
    instanceOf: TypeError,
    message: /"throttle" must be false or \{ rate \}/,
  });
});
