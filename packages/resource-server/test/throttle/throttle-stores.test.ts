// One behaviour table, three stores: the in-process one, Redis and PostgreSQL must count, expire
// and survive concurrency alike, since a throttle cannot tell which it was given.
import test from 'ava';
import { createMemoryThrottleStore, type ThrottleStore } from '../../src/index.ts';
import { createPostgresThrottleStore } from '../../src/postgres.ts';
import { createRedisThrottleStore } from '../../src/redis.ts';
import {
  openPostgresSchema,
  openRedis,
  redisAnswers,
  sleep,
  timeoutMs,
  uniqueName,
} from '../helpers/shared-stores.ts';

/** A store and a way to let time pass for it. */
interface StoreUnderTest {
  readonly store: ThrottleStore;
  advance(ms: number): Promise<void>;
}

const redisUp = await redisAnswers();
const prefix = `${uniqueName('rs-test')}:`;
const redis = redisUp ? openRedis(prefix) : undefined;
const postgres = await openPostgresSchema();
const postgresStore = createPostgresThrottleStore({
  pool: postgres.pool,
  table: postgres.table,
  timeoutMs,
});
await postgresStore.setup();

test.after.always(async () => {
  await redis?.close();
  await postgres.close();
});

// Real stores keep the servers' time: the tests wait for it, with a margin over each TTL.
const realTime = (store: ThrottleStore): StoreUnderTest => ({ store, advance: sleep });

const stores: Record<string, { available: boolean; open: () => StoreUnderTest }> = {
  memory: {
    available: true,
    open() {
      const clock = { ms: 1_800_000_000_000 };
      return {
        store: createMemoryThrottleStore({ now: () => clock.ms }),
        advance: async (ms) => {
          clock.ms += ms;
        },
      };
    },
  },
  redis: {
    available: redisUp,
    open: () => realTime(createRedisThrottleStore({ client: redis!.client, prefix, timeoutMs })),
  },
  postgres: { available: true, open: () => realTime(postgresStore) },
};

for (const [kind, { available, open }] of Object.entries(stores)) {
  const row = available ? test : test.skip;
  if (!available) console.log(`${kind}: skipped, its server does not answer`);

  row(
    `${kind}: counts from 1 per key; get reads without counting; a missing key is 0`,
    async (t) => {
      const { store } = open();
      const key = uniqueName('counts');
      t.is(await store.get(key), 0);
      t.is(await store.increment(key, 60_000), 1);
      t.is(await store.increment(key, 60_000), 2);
      t.is(await store.get(key), 2);
      t.is(await store.get(key), 2, 'reading twice does not count');
      t.is(await store.increment(key, 60_000), 3);
      const other = uniqueName('other');
      t.is(await store.get(other), 0, 'another key is apart');
      t.is(await store.increment(other, 60_000), 1);
      t.is(await store.get(key), 3);
    },
  );

  row(
    `${kind}: a counter lives its TTL from creation; later increments do not extend it`,
    async (t) => {
      const { store, advance } = open();
      const key = uniqueName('ttl');
      // Seconds apart, so that a busy machine's slow sleep cannot pass the first TTL.
      t.is(await store.increment(key, 5_000), 1);
      await advance(300);
      t.is(await store.increment(key, 60_000), 2, 'still alive, and this TTL is not taken');
      t.is(await store.get(key), 2);
      await advance(5_000);
      t.is(await store.get(key), 0, 'gone once the first TTL is over');
      t.is(await store.increment(key, 60_000), 1, 'starts again at 1');
      t.is(await store.get(key), 1);
    },
  );

  row(`${kind}: 200 concurrent increments lose nothing and never share a count`, async (t) => {
    const { store } = open();
    const key = uniqueName('concurrent');
    const counts = await Promise.all(
      Array.from({ length: 200 }, () => store.increment(key, 60_000)),
    );
    t.deepEqual(
      [...counts].sort((a, b) => a - b),
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    t.is(await store.get(key), 200);
  });

  row(`${kind}: keys with any printable characters, as throttles build them`, async (t) => {
    const { store } = open();
    const key = `throttle:notes-writes:address:::ffff:10.0.0.1:${uniqueName('k')}:"'\\%_*`;
    t.is(await store.increment(key, 60_000), 1);
    t.is(await store.get(key), 1);
    t.is(await store.get(key.replace('%', 'x')), 0, 'no pattern matching in keys');
  });
}
