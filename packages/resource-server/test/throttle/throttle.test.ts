import test, { type ExecutionContext } from 'ava';
import Koa, { type Context, type Middleware } from 'koa';
import {
  createMemoryThrottleStore,
  createResourceServer,
  errorCodes,
  type ResourceServer,
  ResourceServerConfigError,
  type ThrottleOptions,
  type ThrottleStore,
  throttle,
} from '../../src/index.ts';
import { getWithHeaders } from '../helpers/dpop.ts';
import { generateTestKey, type TestKey } from '../helpers/keys.ts';
import { AUDIENCE, ISSUER, mintToken, NOW } from '../helpers/mint-token.ts';
import type { TestResponse } from '../helpers/request.ts';
import { assertReached } from '../helpers/rule-assertions.ts';
import { send } from '../helpers/send.ts';
import { startHttpServer } from '../helpers/start-http-server.ts';
import { startIssuer, type TestIssuer } from '../helpers/start-issuer.ts';
import { startRulesApp } from '../helpers/start-rules-app.ts';

const SECOND = 1_000;
const MINUTE = 60_000;
// The test "now" in ms: the start of a second, a minute and a 15-minute window alike.
const T0 = NOW * 1000;

let key: TestKey;
let issuer: TestIssuer;
let rs: ResourceServer;

test.before(async () => {
  key = await generateTestKey('key-1');
  issuer = await startIssuer([key.publicJwk]);
  rs = createResourceServer({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: issuer.jwksUri,
    now: () => NOW * 1000,
  });
});

test.after.always(async () => {
  await issuer?.close();
});

/** A throttle clock the test moves by hand: no sleeping. */
function testClock(start = T0) {
  const clock = { ms: start, now: () => clock.ms };
  return clock;
}

/** Koa middleware of any state, for a route of `startRulesApp`. */
const route = (...middleware: unknown[]) => middleware as Middleware[];

async function startApp(t: ExecutionContext, routes: Record<string, Middleware[]>) {
  const app = await startRulesApp(issuer.jwksUri, routes);
  t.teardown(app.close);
  return app;
}

const bearer = async (claims: Record<string, unknown>) =>
  `Bearer ${await mintToken(key, { claims })}`;

const DESCRIPTION = 'too many requests: retry after the number of seconds in Retry-After';

/** 429 with a whole number of seconds in Retry-After, a JSON error and no challenge. */
function assertThrottled(
  t: ExecutionContext,
  response: TestResponse,
  retryAfterSeconds?: number,
  message?: string,
) {
  t.is(response.status, 429, message);
  const retryAfter = response.headers.get('retry-after') ?? '';
  t.regex(retryAfter, /^[1-9]\d*$/, message);
  if (retryAfterSeconds !== undefined) t.is(retryAfter, String(retryAfterSeconds), message);
  t.is(response.headers.get('www-authenticate'), null, message);
  t.is(response.headers.get('cache-control'), 'no-store', message);
  t.deepEqual(response.body, { error: 'rate_limited', error_description: DESCRIPTION }, message);
}

/** Sends `count` requests and asserts each reached the handler. */
async function expectReached(
  t: ExecutionContext,
  count: number,
  call: () => Promise<TestResponse>,
) {
  for (let i = 0; i < count; i += 1) assertReached(t, await call(), `request ${i + 1}`);
}

/** A ThrottleStore over a Map, recording how the throttle uses it. */
function mapStore(options: { async?: boolean } = {}) {
  const counts = new Map<string, number>();
  const increments: { key: string; ttlMs: number }[] = [];
  const reads: string[] = [];
  const answer = <T>(value: T) => (options.async ? Promise.resolve(value) : value);
  const store = {
    counts,
    increments,
    reads,
    increment(key: string, ttlMs: number) {
      increments.push({ key, ttlMs });
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      return answer(count);
    },
    get(key: string) {
      reads.push(key);
      return answer(counts.get(key) ?? 0);
    },
  } satisfies ThrottleStore & Record<string, unknown>;
  return store;
}

// Whose requests count together

test("by 'client': tokens of one client share a counter, another client has its own", async (t) => {
  const clock = testClock();
  const app = await startApp(t, {
    '/r': route(rs.authenticate(), throttle({ rate: '2/min', by: 'client', now: clock.now })),
  });
  const url = `${app.url}/r`;
  const alice = await bearer({ sub: 'alice', client_id: 'client-1' });
  const bob = await bearer({ sub: 'bob', client_id: 'client-1' });
  const other = await bearer({ sub: 'alice', client_id: 'client-2' });
  assertReached(t, await send('GET', url, alice));
  assertReached(t, await send('GET', url, bob));
  assertThrottled(t, await send('GET', url, alice));
  assertThrottled(t, await send('GET', url, bob));
  assertThrottled(t, await send('GET', url, await bearer({ sub: 'carol', client_id: 'client-1' })));
  await expectReached(t, 2, () => send('GET', url, other));
  assertThrottled(t, await send('GET', url, other));
  t.is(app.reached.length, 4, 'refused requests never reach the handler');
});

test("by 'subject': one subject is counted across clients, another subject apart", async (t) => {
  const clock = testClock();
  const app = await startApp(t, {
    '/r': route(rs.authenticate(), throttle({ rate: '2/min', by: 'subject', now: clock.now })),
  });
  const url = `${app.url}/r`;
  assertReached(t, await send('GET', url, await bearer({ sub: 'alice', client_id: 'client-1' })));
  assertReached(t, await send('GET', url, await bearer({ sub: 'alice', client_id: 'client-2' })));
  assertThrottled(t, await send('GET', url, await bearer({ sub: 'alice', client_id: 'client-3' })));
  const bob = await bearer({ sub: 'bob', client_id: 'client-1' });
  await expectReached(t, 2, () => send('GET', url, bob));
  assertThrottled(t, await send('GET', url, bob));
});

test('a key function counts per key; undefined means not throttled', async (t) => {
  const clock = testClock();
  const byApiKey = (ctx: Context) => ctx.get('x-api-key') || undefined;
  const app = await startApp(t, {
    '/r': route(throttle({ rate: '2/min', by: byApiKey, now: clock.now })),
  });
  const url = `${app.url}/r`;
  const withKey = (apiKey: string) => getWithHeaders(url, { 'x-api-key': apiKey });
  await expectReached(t, 2, () => withKey('k1'));
  assertThrottled(t, await withKey('k1'));
  await expectReached(t, 2, () => withKey('k2'));
  assertThrottled(t, await withKey('k2'));
  await expectReached(t, 10, () => send('GET', url));
});

test('a key function returning something else than a string fails the request (500)', async (t) => {
  const app = await startApp(t, {
    '/r': route(throttle({ rate: '2/min', by: () => 42 as unknown as string })),
  });
  t.is((await send('GET', `${app.url}/r`)).status, 500);
  t.is(app.reached.length, 0);
  t.true(app.loggedErrors.some((e) => e instanceof TypeError));
});

test('long custom keys are stored as digests and still counted apart', async (t) => {
  const clock = testClock();
  const store = mapStore();
  const app = await startApp(t, {
    '/r': route(throttle({ rate: '1/min', by: (ctx) => ctx.get('x-key'), store, now: clock.now })),
  });
  const url = `${app.url}/r`;
  const long = 'k'.repeat(500);
  assertReached(t, await getWithHeaders(url, { 'x-key': `${long}1` }));
  assertReached(t, await getWithHeaders(url, { 'x-key': `${long}2` }));
  assertThrottled(t, await getWithHeaders(url, { 'x-key': `${long}1` }));
  t.is(store.counts.size, 2);
  for (const stored of store.counts.keys()) {
    t.false(stored.includes(long));
    t.true(stored.length < 200, stored);
  }
});

test("by 'client' without authenticate() in front fails closed (500)", async (t) => {
  const app = await startApp(t, { '/r': route(throttle({ rate: '2/min', by: 'client' })) });
  const response = await send('GET', `${app.url}/r`, await bearer({}));
  t.is(response.status, 500);
  t.is(app.reached.length, 0);
  t.true(app.loggedErrors.some((e) => (e as Error).message.includes('needs rs.authenticate()')));
});

// Requests without a token

test('optional auth: requests without a token are counted per address', async (t) => {
  const clock = testClock();
  const app = await startApp(t, {
    '/r': route(
      rs.authenticate({ optional: true }),
      throttle({ rate: '2/min', by: 'client', now: clock.now }),
    ),
  });
  const url = `${app.url}/r`;
  await expectReached(t, 2, () => send('GET', url));
  assertThrottled(t, await send('GET', url));
  // Without `proxy`, X-Forwarded-For is not believed: a forged one gets no fresh counter.
  assertThrottled(t, await getWithHeaders(url, { 'x-forwarded-for': '203.0.113.7' }));
  // A token is counted by its client, apart from the address.
  await expectReached(t, 2, async () => send('GET', url, await bearer({ client_id: 'client-9' })));
  assertThrottled(t, await send('GET', url, await bearer({ client_id: 'client-9' })));
});

test('optional auth behind a trusted proxy: each forwarded address has its own counter', async (t) => {
  const clock = testClock();
  const koa = new Koa({ proxy: true });
  koa.use(rs.authenticate({ optional: true }) as Middleware);
  koa.use(throttle({ rate: '2/min', by: 'subject', now: clock.now }) as Middleware);
  koa.use((ctx) => {
    ctx.body = { reached: ctx.ip };
  });
  const server = await startHttpServer(koa.callback());
  t.teardown(server.close);
  const from = (address: string) =>
    getWithHeaders(`${server.url}/`, { 'x-forwarded-for': address });
  await expectReached(t, 2, () => from('203.0.113.1'));
  assertThrottled(t, await from('203.0.113.1'));
  const other = await from('203.0.113.2');
  assertReached(t, other);
  t.is(other.body?.reached, '203.0.113.2');
});

// Windows, Retry-After and the clock

test('fixed window: Retry-After counts the seconds to the next window', async (t) => {
  const clock = testClock(T0 + 15 * SECOND);
  const app = await startApp(t, {
    '/r': route(
      rs.authenticate(),
      throttle({ rate: '2/min', by: 'client', window: 'fixed', now: clock.now }),
    ),
  });
  const call = async () => send('GET', `${app.url}/r`, await bearer({}));
  await expectReached(t, 2, call);
  assertThrottled(t, await call(), 45);
  clock.ms = T0 + 59_500;
  assertThrottled(t, await call(), 1, 'half a second left rounds up to 1');
  clock.ms = T0 + MINUTE;
  await expectReached(t, 2, call);
  assertThrottled(t, await call(), 60);
});

test('fixed window: a burst across the boundary gets twice the rate', async (t) => {
  const clock = testClock(T0 + 59 * SECOND);
  const app = await startApp(t, {
    '/r': route(
      rs.authenticate(),
      throttle({ rate: '10/min', by: 'client', window: 'fixed', now: clock.now }),
    ),
  });
  const call = async () => send('GET', `${app.url}/r`, await bearer({}));
  await expectReached(t, 10, call);
  assertThrottled(t, await call(), 1);
  clock.ms = T0 + MINUTE;
  await expectReached(t, 10, call);
  assertThrottled(t, await call(), 60);
});

test('sliding window (the default): the previous window still weighs after the boundary', async (t) => {
  const clock = testClock(T0 + 59 * SECOND);
  const app = await startApp(t, {
    '/r': route(rs.authenticate(), throttle({ rate: '10/min', by: 'client', now: clock.now })),
  });
  const call = async () => send('GET', `${app.url}/r`, await bearer({}));
  await expectReached(t, 10, call);
  clock.ms = T0 + MINUTE;
  // 10 × (60 − e) / 60 + 1 ≤ 10 from e = 6 s on.
  assertThrottled(t, await call(), 6);
  clock.ms = T0 + MINUTE + 5_999;
  assertThrottled(t, await call(), 1);
  clock.ms = T0 + MINUTE + 6 * SECOND;
  assertReached(t, await call());
  // 10 × 54/60 + 2 > 10 until e = 12 s.
  assertThrottled(t, await call(), 6);
});

test('sliding window: a request exactly at the limit passes, and Retry-After is exact', async (t) => {
  const clock = testClock();
  const app = await startApp(t, {
    '/r': route(rs.authenticate(), throttle({ rate: '15/min', by: 'client', now: clock.now })),
  });
  const call = async () => send('GET', `${app.url}/r`, await bearer({}));
  await expectReached(t, 15, call);
  // Next window: 15 × (60 − e) / 60 ≤ 14 from e = 4 s.
  assertThrottled(t, await call(), 64);
  // A third into the next window the previous 15 weigh 10, so exactly 5 more fit.
  clock.ms = T0 + MINUTE + 20 * SECOND;
  await expectReached(t, 5, call);
  assertThrottled(t, await call(), 4);
  // Waiting exactly Retry-After is enough: 15 × 36/60 + 6 = 15.
  clock.ms = T0 + MINUTE + 24 * SECOND;
  assertReached(t, await call());
  assertThrottled(t, await call());
});

test('sliding window: refused requests are not counted', async (t) => {
  const clock = testClock();
  const app = await startApp(t, {
    '/r': route(rs.authenticate(), throttle({ rate: '2/min', by: 'client', now: clock.now })),
  });
  const call = async () => send('GET', `${app.url}/r`, await bearer({}));
  await expectReached(t, 2, call);
  for (let i = 0; i < 10; i += 1) assertThrottled(t, await call());
  // Halfway through the next window the 2 accepted requests weigh 1: one more fits.
  clock.ms = T0 + MINUTE + 30 * SECOND;
  assertReached(t, await call());
  assertThrottled(t, await call());
  // Two windows later nothing weighs any more.
  clock.ms = T0 + 3 * MINUTE;
  await expectReached(t, 2, call);
});

test('rates: 5/15min and 10/s are periods of 15 minutes and of one second', async (t) => {
  const clock = testClock(T0 + 250);
  const app = await startApp(t, {
    '/quarter': route(
      throttle({ rate: '5/15min', by: () => 'k', window: 'fixed', now: clock.now }),
    ),
    '/second': route(throttle({ rate: '10/s', by: () => 'k', window: 'fixed', now: clock.now })),
  });
  await expectReached(t, 5, () => send('GET', `${app.url}/quarter`));
  assertThrottled(t, await send('GET', `${app.url}/quarter`), 900);
  await expectReached(t, 10, () => send('GET', `${app.url}/second`));
  assertThrottled(t, await send('GET', `${app.url}/second`), 1);
  clock.ms = T0 + SECOND;
  assertReached(t, await send('GET', `${app.url}/second`));
  assertThrottled(t, await send('GET', `${app.url}/quarter`), 900 - 1);
  clock.ms = T0 + 15 * MINUTE;
  assertReached(t, await send('GET', `${app.url}/quarter`));
});

test('rates: 1000/day keeps its counters for a day', async (t) => {
  const day = 86_400_000;
  const clock = testClock(Math.ceil(T0 / day) * day);
  const fixed = mapStore();
  const sliding = mapStore();
  const app = await startApp(t, {
    '/fixed': route(
      throttle({ rate: '1000/day', by: () => 'k', window: 'fixed', store: fixed, now: clock.now }),
    ),
    '/sliding': route(
      throttle({ rate: '1000/day', by: () => 'k', store: sliding, now: clock.now }),
    ),
  });
  assertReached(t, await send('GET', `${app.url}/fixed`));
  assertReached(t, await send('GET', `${app.url}/sliding`));
  t.is(fixed.increments[0]?.ttlMs, day);
  t.is(sliding.increments[0]?.ttlMs, 2 * day, 'a sliding counter outlives the next window');
});

test('a clock with fractions of a millisecond works; a broken clock fails the request', async (t) => {
  const clock = testClock(T0 + MINUTE + 30_000.25);
  const store = mapStore();
  const app = await startApp(t, {
    '/r': route(throttle({ rate: '2/min', by: () => 'k', store, now: clock.now })),
    '/broken': route(throttle({ rate: '2/min', by: () => 'k', now: () => Number.NaN })),
  });
  const call = () => send('GET', `${app.url}/r`);
  assertReached(t, await call());
  // Two requests in the previous window weigh 1 halfway through this one: no room left.
  const [previousKey] = store.reads;
  store.counts.set(previousKey!, 2);
  assertThrottled(t, await call(), 30);
  t.is((await send('GET', `${app.url}/broken`)).status, 500);
  t.true(app.loggedErrors.some((e) => e instanceof TypeError));
});

// Scopes and stores

test('the same scope over one store shares counters; distinct scopes count apart', async (t) => {
  const clock = testClock();
  const store = createMemoryThrottleStore({ now: clock.now });
  const options = (scope?: string): ThrottleOptions => ({
    rate: '2/min',
    by: 'client',
    store,
    now: clock.now,
    ...(scope !== undefined && { scope }),
  });
  const app = await startApp(t, {
    '/notes': route(rs.authenticate(), throttle(options('notes'))),
    '/notes-too': route(rs.authenticate(), throttle(options('notes'))),
    '/uploads': route(rs.authenticate(), throttle(options('uploads'))),
  });
  const token = await bearer({});
  const call = (path: string) => send('GET', `${app.url}${path}`, token);
  assertReached(t, await call('/notes'));
  assertReached(t, await call('/notes-too'));
  assertThrottled(t, await call('/notes'));
  assertThrottled(t, await call('/notes-too'));
  await expectReached(t, 2, () => call('/uploads'));
  assertThrottled(t, await call('/uploads'));
});

test('without a scope, throttles of the same kind and rate on one store share counters', async (t) => {
  const clock = testClock();
  const store = createMemoryThrottleStore({ now: clock.now });
  const app = await startApp(t, {
    '/a': route(
      rs.authenticate(),
      throttle({ rate: '2/min', by: 'client', store, now: clock.now }),
    ),
    '/b': route(
      rs.authenticate(),
      throttle({ rate: '2/min', by: 'client', store, now: clock.now }),
    ),
    '/c': route(
      rs.authenticate(),
      throttle({ rate: '3/min', by: 'client', store, now: clock.now }),
    ),
  });
  const token = await bearer({});
  const call = (path: string) => send('GET', `${app.url}${path}`, token);
  assertReached(t, await call('/a'));
  assertReached(t, await call('/b'));
  assertThrottled(t, await call('/a'));
  await expectReached(t, 3, () => call('/c'));
});

test('each throttle without a store has its own counters', async (t) => {
  const clock = testClock();
  const app = await startApp(t, {
    '/a': route(rs.authenticate(), throttle({ rate: '2/min', by: 'client', now: clock.now })),
    '/b': route(rs.authenticate(), throttle({ rate: '2/min', by: 'client', now: clock.now })),
  });
  const token = await bearer({});
  await expectReached(t, 2, () => send('GET', `${app.url}/a`, token));
  await expectReached(t, 2, () => send('GET', `${app.url}/b`, token));
  assertThrottled(t, await send('GET', `${app.url}/a`, token));
});

test('a custom store is used: counters, TTLs and keys go through it', async (t) => {
  const clock = testClock(T0 + 10 * SECOND);
  const store = mapStore({ async: true });
  const app = await startApp(t, {
    '/r': route(
      rs.authenticate(),
      throttle({
        rate: '2/min',
        by: 'client',
        window: 'fixed',
        scope: 'notes',
        store,
        now: clock.now,
      }),
    ),
  });
  const raw = await mintToken(key, { claims: { client_id: 'client-7' } });
  const call = () => send('GET', `${app.url}/r`, `Bearer ${raw}`);
  await expectReached(t, 2, call);
  assertThrottled(t, await call(), 50);
  t.is(store.increments.length, 2, 'the refused request was not counted');
  t.deepEqual(
    store.increments.map(({ ttlMs }) => ttlMs),
    [50 * SECOND, 50 * SECOND],
    'a fixed counter lives to the end of its window',
  );
  const [stored] = store.counts.keys();
  t.is(store.counts.size, 1);
  t.is(store.counts.get(stored!), 2);
  t.true(stored!.includes('notes') && stored!.includes('client-7'), stored);
  t.false(stored!.includes(raw), 'keys never contain the token');
  t.true(store.reads.includes(stored!));
  // The store, not some copy of it, decides: emptied, it lets the client in again.
  store.counts.clear();
  assertReached(t, await call());
});

test('a sliding throttle reads the previous window from the store', async (t) => {
  const clock = testClock(T0 + 10 * SECOND);
  const store = mapStore();
  const app = await startApp(t, {
    '/r': route(throttle({ rate: '4/min', by: () => 'k', store, now: clock.now })),
  });
  const call = () => send('GET', `${app.url}/r`);
  assertReached(t, await call());
  t.is(store.increments[0]?.ttlMs, 110 * SECOND);
  t.is(store.reads.length, 2, 'the current and the previous window');
  const [previousKey, currentKey] = store.reads;
  t.not(previousKey, currentKey);
  // Four requests in the previous window, by the store's account.
  store.counts.set(previousKey!, 4);
  assertThrottled(t, await call());
  store.counts.delete(previousKey!);
  assertReached(t, await call());
});

test('a store that fails lets the request through by default, and the host sees why', async (t) => {
  const failure = new Error('store down');
  const store: ThrottleStore = {
    increment: () => Promise.reject(failure),
    get: () => 0,
  };
  const app = await startApp(t, { '/r': route(throttle({ rate: '2/min', by: () => 'k', store })) });
  assertReached(t, await send('GET', `${app.url}/r`));
  const logged = app.loggedErrors as Error[];
  t.is(logged.length, 1);
  t.is(logged[0]?.message, "the throttle store's increment() failed");
  t.is(logged[0]?.cause, failure);
});

test("a store that throws with onStoreError 'refuse' answers 503, and the host sees why", async (t) => {
  const failure = new Error('store down');
  const store: ThrottleStore = {
    increment: () => 1,
    get: () => {
      throw failure;
    },
  };
  const app = await startApp(t, {
    '/r': route(throttle({ rate: '2/min', by: () => 'k', store, onStoreError: 'refuse' })),
  });
  const response = await send('GET', `${app.url}/r`);
  t.is(response.status, 503);
  t.is(response.headers.get('retry-after'), '5');
  t.is(response.body?.error, 'temporarily_unavailable');
  t.is(app.reached.length, 0);
  t.is(((app.loggedErrors[0] as Error).cause as Error).cause, failure);
});

test('a store answering something else than a count fails closed (500), never open', async (t) => {
  const answers: unknown[] = [undefined, null, Number.NaN, '1', -1, 1.5];
  for (const answer of answers) {
    const counts = new Map<string, number>();
    // The classic mistake: a missing counter read as `Map.get` answers it.
    const store = {
      increment: (key: string) => {
        counts.set(key, (counts.get(key) ?? 0) + 1);
        return counts.get(key)!;
      },
      get: () => answer,
    } as unknown as ThrottleStore;
    const app = await startApp(t, {
      '/r': route(throttle({ rate: '1/min', by: () => 'k', store })),
    });
    t.is((await send('GET', `${app.url}/r`)).status, 500, String(answer));
    t.is((await send('GET', `${app.url}/r`)).status, 500, String(answer));
    t.is(app.reached.length, 0, String(answer));
  }
});

test('a 429 carries no challenge even where challenges name the metadata', async (t) => {
  const withMetadata = createResourceServer({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: issuer.jwksUri,
    now: () => NOW * 1000,
    publicUrl: AUDIENCE,
  });
  const app = await startApp(t, {
    '/r': route(withMetadata.authenticate(), throttle({ rate: '1/min', by: 'client' })),
  });
  const token = await bearer({});
  assertReached(t, await send('GET', `${app.url}/r`, token));
  assertThrottled(t, await send('GET', `${app.url}/r`, token));
  // The challenges themselves still name it.
  const refused = await send('GET', `${app.url}/r`);
  t.is(refused.status, 401);
  t.regex(refused.headers.get('www-authenticate') ?? '', /resource_metadata="/);
});

// The in-process store

test('memory store: counts per key and forgets a counter when its TTL is over', (t) => {
  const clock = testClock();
  const store = createMemoryThrottleStore({ now: clock.now });
  t.is(store.get('a'), 0);
  t.is(store.increment('a', 1_000), 1);
  t.is(store.increment('a', 5_000), 2, 'the TTL runs from the creation');
  t.is(store.increment('b', 1_000), 1);
  t.is(store.get('a'), 2);
  clock.ms = T0 + 999;
  t.is(store.get('a'), 2);
  clock.ms = T0 + 1_000;
  t.is(store.get('a'), 0);
  t.is(store.increment('a', 1_000), 1);
});

test('memory store: when full, expired counters go first, then the oldest', (t) => {
  const clock = testClock();
  const store = createMemoryThrottleStore({ maxEntries: 2, now: clock.now });
  store.increment('short', 100);
  store.increment('long', 10_000);
  clock.ms = T0 + 200;
  store.increment('new', 10_000);
  t.is(store.get('long'), 1);
  t.is(store.get('new'), 1);
  store.increment('newer', 10_000);
  t.is(store.get('long'), 0, 'the oldest live counter gave way');
  t.is(store.get('new'), 1);
  t.is(store.get('newer'), 1);
});

test('memory store: a flood of keys makes the throttle forget, never refuse wrongly', async (t) => {
  const clock = testClock();
  const store = createMemoryThrottleStore({ maxEntries: 2, now: clock.now });
  const app = await startApp(t, {
    '/r': route(
      throttle({
        rate: '1/min',
        by: (ctx) => ctx.get('x-key'),
        window: 'fixed',
        store,
        now: clock.now,
      }),
    ),
  });
  const as = (name: string) => getWithHeaders(`${app.url}/r`, { 'x-key': name });
  assertReached(t, await as('a'));
  assertThrottled(t, await as('a'));
  assertReached(t, await as('b'));
  assertReached(t, await as('c'));
  assertReached(t, await as('a'), "a's counter was evicted");
});

test('memory store: bad options are refused', (t) => {
  for (const options of [{ maxEntries: 0 }, { maxEntries: 1.5 }, { maxEntries: '10' }]) {
    const error = t.throws(
      () => createMemoryThrottleStore(options as never),
      { instanceOf: ResourceServerConfigError },
      JSON.stringify(options),
    );
    t.is(error?.key, 'createMemoryThrottleStore.maxEntries');
  }
  for (const [options, key] of [
    [{ now: 5 }, 'createMemoryThrottleStore.now'],
    [{ maxEntrys: 5 }, 'createMemoryThrottleStore.maxEntrys'],
    [null, 'createMemoryThrottleStore'],
  ] as const) {
    const error = t.throws(() => createMemoryThrottleStore(options as never), {
      instanceOf: ResourceServerConfigError,
    });
    t.is(error?.code, errorCodes.config);
    t.is(error?.key, key);
  }
  t.is(createMemoryThrottleStore({ maxEntries: 1 }).increment('a', 1_000), 1);
});

// Options

const refused = test.macro({
  exec(t, options: unknown, key: string) {
    const error = t.throws(() => throttle(options as ThrottleOptions), {
      instanceOf: ResourceServerConfigError,
    });
    t.is(error?.code, errorCodes.config);
    t.is(error?.key, key);
  },
  title: (title = '', _options, key: string) => `throttle refuses ${title} (names ${key})`,
});

const valid = { rate: '10/min', by: 'client' };

test('an unknown option', refused, { ...valid, windw: 'fixed' }, 'throttle.windw');
test('a misspelt rate key', refused, { rates: '10/min', by: 'client' }, 'throttle.rates');
test('no options', refused, undefined, 'throttle.rate');
test('options that are not an object', refused, '10/min', 'throttle');
test('an array of options', refused, [], 'throttle');
test('a missing by', refused, { rate: '10/min' }, 'throttle.by');
test('an unknown by', refused, { ...valid, by: 'user' }, 'throttle.by');
test('an unknown window', refused, { ...valid, window: 'rolling' }, 'throttle.window');
test('a scope with a space', refused, { ...valid, scope: 'my scope' }, 'throttle.scope');
test('an empty scope', refused, { ...valid, scope: '' }, 'throttle.scope');
test('a scope that is not a string', refused, { ...valid, scope: 42 }, 'throttle.scope');
test(
  'a scope over 100 characters',
  refused,
  { ...valid, scope: 's'.repeat(101) },
  'throttle.scope',
);
test('a clock that is not a function', refused, { ...valid, now: 5 }, 'throttle.now');
test('a store without get', refused, { ...valid, store: { increment: () => 1 } }, 'throttle.store');
test('a store that is not an object', refused, { ...valid, store: 'redis' }, 'throttle.store');
test('a null store', refused, { ...valid, store: null }, 'throttle.store');

test('valid options are accepted', (t) => {
  t.is(
    typeof throttle({ ...valid, scope: 's'.repeat(100), window: 'sliding' } as ThrottleOptions),
    'function',
  );
  t.is(typeof throttle({ rate: '1/s', by: () => undefined, window: 'fixed' }), 'function');
});
