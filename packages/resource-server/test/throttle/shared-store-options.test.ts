// What is particular to each shared store: its options, Redis's script cache and TTLs,
// PostgreSQL's table set-up and the purge of expired counters.
import test from 'ava';
import { ResourceServerConfigError } from '../../src/index.ts';
import {
  createPostgresThrottleStore,
  type PostgresThrottleStoreOptions,
  postgresThrottleSql,
} from '../../src/postgres.ts';
import { createRedisThrottleStore, type RedisThrottleStoreOptions } from '../../src/redis.ts';
import {
  openPostgresSchema,
  openRedis,
  redisAnswers,
  sleep,
  timeoutMs,
  uniqueName,
} from '../helpers/shared-stores.ts';

const redisUp = await redisAnswers();
const prefix = `${uniqueName('rs-test')}:`;
const redis = redisUp ? openRedis(prefix) : undefined;
const postgres = await openPostgresSchema();

test.after.always(async () => {
  await redis?.close();
  await postgres.close();
});

const withRedis = redisUp ? test : test.skip;
const fakeClient = { eval: () => 1, evalsha: () => 1, get: () => null };
const fakePool = { query: () => Promise.resolve({ rows: [], rowCount: 0 }) };

function refusedWith(t: import('ava').ExecutionContext, create: () => unknown, key: string) {
  const error = t.throws(create, { instanceOf: ResourceServerConfigError });
  t.is(error?.key, key);
}

const badRedis: [string, unknown, string][] = [
  ['no options', undefined, 'createRedisThrottleStore.client'],
  ['no client', {}, 'createRedisThrottleStore.client'],
  [
    'a client without evalsha',
    { client: { eval: () => 1, get: () => 1 } },
    'createRedisThrottleStore.client',
  ],
  ['a URL for a client', { client: 'redis://127.0.0.1' }, 'createRedisThrottleStore.client'],
  [
    'a prefix with a space',
    { client: fakeClient, prefix: 'my app:' },
    'createRedisThrottleStore.prefix',
  ],
  [
    'a prefix that is not a string',
    { client: fakeClient, prefix: 1 },
    'createRedisThrottleStore.prefix',
  ],
  ['a timeout of 0', { client: fakeClient, timeoutMs: 0 }, 'createRedisThrottleStore.timeoutMs'],
  [
    'a timeout as a string',
    { client: fakeClient, timeoutMs: '100' },
    'createRedisThrottleStore.timeoutMs',
  ],
  ['an unknown option', { client: fakeClient, ttl: 5 }, 'createRedisThrottleStore.ttl'],
];
for (const [what, options, key] of badRedis) {
  test(`Redis store refuses ${what}`, (t) => {
    refusedWith(t, () => createRedisThrottleStore(options as RedisThrottleStoreOptions), key);
  });
}

const badPostgres: [string, unknown, string][] = [
  ['no options', undefined, 'createPostgresThrottleStore.pool'],
  ['no pool', {}, 'createPostgresThrottleStore.pool'],
  ['a connection string for a pool', { pool: 'postgres://x' }, 'createPostgresThrottleStore.pool'],
  [
    'a table with SQL in it',
    { pool: fakePool, table: 'x; drop table users' },
    'createPostgresThrottleStore.table',
  ],
  ['a quoted table', { pool: fakePool, table: '"x"' }, 'createPostgresThrottleStore.table'],
  [
    'a table with capitals',
    { pool: fakePool, table: 'Counters' },
    'createPostgresThrottleStore.table',
  ],
  ['three name parts', { pool: fakePool, table: 'a.b.c' }, 'createPostgresThrottleStore.table'],
  [
    'a 64-letter table name',
    { pool: fakePool, table: 'a'.repeat(64) },
    'createPostgresThrottleStore.table',
  ],
  [
    'a timeout over a minute',
    { pool: fakePool, timeoutMs: 60_001 },
    'createPostgresThrottleStore.timeoutMs',
  ],
  [
    'a negative purge interval',
    { pool: fakePool, purgeIntervalMs: -1 },
    'createPostgresThrottleStore.purgeIntervalMs',
  ],
  ['an unknown option', { pool: fakePool, schema: 'api' }, 'createPostgresThrottleStore.schema'],
];
for (const [what, options, key] of badPostgres) {
  test(`PostgreSQL store refuses ${what}`, (t) => {
    refusedWith(t, () => createPostgresThrottleStore(options as PostgresThrottleStoreOptions), key);
  });
}

withRedis('Redis: after SCRIPT FLUSH (a restart) the store sends its script again', async (t) => {
  const store = createRedisThrottleStore({ client: redis!.client, prefix, timeoutMs });
  const key = uniqueName('flush');
  t.is(await store.increment(key, 60_000), 1);
  await redis!.client.script('FLUSH');
  t.is(await store.increment(key, 60_000), 2);
  t.is(await store.increment(key, 60_000), 3);
});

withRedis(
  'Redis: every counter has an expiry, the TTL of its creation, under the prefix',
  async (t) => {
    const store = createRedisThrottleStore({ client: redis!.client, prefix, timeoutMs });
    const key = uniqueName('pttl');
    await store.increment(key, 30_000);
    await store.increment(key, 90_000);
    const pttl = await redis!.client.pttl(`${prefix}${key}`);
    t.true(pttl > 0 && pttl <= 30_000, `PTTL ${pttl}`);
    t.is(await redis!.client.get(`${prefix}${key}`), '2');
  },
);

test('PostgreSQL: setup() is idempotent, and the SQL given for migrations makes the same table', async (t) => {
  const table = `${postgres.schema}.by_migration`;
  await postgres.pool.query(postgresThrottleSql(table).setup);
  const store = createPostgresThrottleStore({ pool: postgres.pool, table, timeoutMs });
  await store.setup();
  await store.setup();
  t.is(await store.increment('k', 60_000), 1);
  const { rows } = await postgres.pool.query(
    `SELECT relpersistence FROM pg_class WHERE oid = $1::regclass`,
    [table],
  );
  t.is(rows[0].relpersistence, 'u', 'unlogged: counters are worth no WAL');
});

test('PostgreSQL: purgeExpired deletes expired counters only, at most the batch given', async (t) => {
  const table = `${postgres.schema}.purged`;
  const store = createPostgresThrottleStore({
    pool: postgres.pool,
    table,
    purgeIntervalMs: 0,
    timeoutMs,
  });
  await store.setup();
  for (let i = 0; i < 5; i += 1) await store.increment(`short-${i}`, 1);
  await store.increment('long', 60_000);
  await sleep(50);
  t.is(await store.purgeExpired(3), 3);
  t.is(await store.purgeExpired(), 2);
  t.is(await store.purgeExpired(), 0);
  const { rows } = await postgres.pool.query(`SELECT key, count FROM ${table}`);
  t.deepEqual(rows, [{ key: 'long', count: 1 }]);
  await t.throwsAsync(() => store.purgeExpired(0), { instanceOf: TypeError });
});

test('PostgreSQL: increments purge expired counters in the background, at most once an interval', async (t) => {
  const table = `${postgres.schema}.auto_purged`;
  const store = createPostgresThrottleStore({
    pool: postgres.pool,
    table,
    purgeIntervalMs: 1,
    timeoutMs,
  });
  await store.setup();
  await store.increment('short', 1);
  await sleep(50);
  await store.increment('live', 60_000);
  let left = 2;
  for (let attempt = 0; attempt < 100 && left !== 1; attempt += 1) {
    await sleep(20);
    left = Number((await postgres.pool.query(`SELECT count(*) FROM ${table}`)).rows[0].count);
  }
  t.is(left, 1, 'the expired counter went, the live one stayed');
  t.is(await store.get('live'), 1);
});
