// A shared store that fails: refused (connection refused) or silent (a server that accepts and
// never answers, which only the store's timeout ends). The throttle fails open by default and
// closed with onStoreError: 'refuse'; the outage reaches the host's logs either way.
import { createServer, type Server, type Socket } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { Redis } from 'ioredis';
import type { Middleware } from 'koa';
import pg from 'pg';
import { type ThrottleOptions, type ThrottleStore, throttle } from '../../src/index.ts';
import { createPostgresThrottleStore } from '../../src/postgres.ts';
import { createRedisThrottleStore } from '../../src/redis.ts';
import type { TestResponse } from '../helpers/request.ts';
import { assertReached } from '../helpers/rule-assertions.ts';
import { send } from '../helpers/send.ts';
import { closedPortUrl } from '../helpers/start-http-server.ts';
import { startRulesApp } from '../helpers/start-rules-app.ts';

const sockets = new Set<Socket>();
// Accepts connections and never answers: a server that hangs (or a network that drops).
const silent: Server = createServer((socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
const silentPort = (silent.address() as { port: number }).port;
const closedPort = Number(new URL(await closedPortUrl()).port);

const cleanups: (() => unknown)[] = [];
test.after.always(async () => {
  // The silent server goes first, so that pending connection attempts end.
  silent.close();
  for (const socket of sockets) socket.destroy();
  for (const cleanup of cleanups) await cleanup();
});

function redisStore(port: number): ThrottleStore {
  // ioredis's defaults: it retries and queues commands while it reconnects.
  const client = new Redis({ host: '127.0.0.1', port });
  client.on('error', () => undefined);
  cleanups.push(() => client.disconnect());
  return createRedisThrottleStore({ client, timeoutMs: 200 });
}

function postgresStore(port: number): ThrottleStore {
  const pool = new pg.Pool({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    connectionTimeoutMillis: 2000,
  });
  pool.on('error', () => undefined);
  cleanups.push(() => pool.end());
  return createPostgresThrottleStore({ pool, timeoutMs: 200 });
}

async function startThrottled(t: ExecutionContext, options: Partial<ThrottleOptions>) {
  const limit = throttle({ rate: '1/min', by: (ctx) => ctx.ip, ...options });
  const app = await startRulesApp('http://127.0.0.1:1/jwks', {
    '/r': [limit as Middleware],
  });
  t.teardown(app.close);
  return app;
}

function assertUnavailable(t: ExecutionContext, response: TestResponse) {
  t.is(response.status, 503);
  t.is(response.headers.get('retry-after'), '5');
  t.is(response.headers.get('www-authenticate'), null);
  t.deepEqual(response.body, {
    error: 'temporarily_unavailable',
    error_description:
      'the request cannot be counted now: retry after the number of seconds in Retry-After',
  });
}

const outages: Record<string, () => ThrottleStore> = {
  'Redis refusing connections': () => redisStore(closedPort),
  'Redis not answering': () => redisStore(silentPort),
  'PostgreSQL refusing connections': () => postgresStore(closedPort),
  'PostgreSQL not answering': () => postgresStore(silentPort),
};

for (const [outage, open] of Object.entries(outages)) {
  test(`${outage}: by default requests go through uncounted, and the host sees why`, async (t) => {
    const app = await startThrottled(t, { store: open() });
    // The rate is 1/min: a working store would refuse the second request.
    for (let i = 0; i < 3; i += 1) assertReached(t, await send('GET', `${app.url}/r`));
    t.is(app.loggedErrors.length, 3);
    const logged = app.loggedErrors[0] as Error;
    t.is(logged.message, "the throttle store's get() failed");
    t.true(logged.cause instanceof Error);
  });

  test(`${outage}: onStoreError 'refuse' answers 503 with Retry-After`, async (t) => {
    const app = await startThrottled(t, { store: open(), onStoreError: 'refuse' });
    assertUnavailable(t, await send('GET', `${app.url}/r`));
    assertUnavailable(t, await send('GET', `${app.url}/r`));
    t.is(app.reached.length, 0);
    t.is(app.loggedErrors.length, 2, 'each refusal is logged with its cause');
  });
}

test('a store answering something else than a count is a bug: 500 whatever onStoreError says', async (t) => {
  const store = { increment: () => 1, get: () => Promise.resolve(Number.NaN) };
  const app = await startThrottled(t, { store, onStoreError: 'allow' });
  t.is((await send('GET', `${app.url}/r`)).status, 500);
  t.is(app.reached.length, 0);
});

test('onStoreError must be allow or refuse', (t) => {
  const error = t.throws(() =>
    throttle({ rate: '1/min', by: 'client', onStoreError: 'open' as 'allow' }),
  );
  t.is((error as { key?: string }).key, 'throttle.onStoreError');
});
