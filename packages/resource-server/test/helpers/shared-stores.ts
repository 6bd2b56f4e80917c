import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

/** Redis of the tests: REDIS_URL [redis://127.0.0.1:6379], the machines' local server. */
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/**
 * The PostgreSQL of the tests (DATABASE_URL, which `pnpm test` always sets); unset when a test
 * file runs under bare ava, and the PostgreSQL rows are then refused with this reason.
 */
export const DATABASE_URL = process.env.DATABASE_URL;

/** A short random name, so that test files sharing one server never share counters. */
export const uniqueName = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

/**
 * Whether the Redis of the tests answers PING within a second. The Redis rows run whenever it
 * does (a Redis server runs on these machines); on a machine with only Node.js they are skipped
 * and say so, as the quickstart's test command promises to pass there.
 */
export async function redisAnswers(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** A Redis client for the tests, with every key it wrote under `prefix` deleted on close. */
export function openRedis(prefix: string) {
  const client = new Redis(REDIS_URL);
  return {
    client,
    async close() {
      const keys = await client.keys(`${prefix}*`);
      if (keys.length > 0) await client.del(...keys);
      client.disconnect();
    },
  };
}

/** A pool on the test database with a schema of its own (dropped on close). */
export async function openPostgresSchema() {
  if (DATABASE_URL === undefined) throw new Error('DATABASE_URL is not set: run `pnpm test`');
  const schema = uniqueName('rs_throttle');
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
  await pool.query(`CREATE SCHEMA "${schema}"`);
  return {
    pool,
    schema,
    table: `${schema}.throttle_counters`,
    async close() {
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

/** Resolves after `ms` of real time, for stores whose clock is a server's. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The stores' timeout in the tests that are not about it: ten seconds, as the test machines are
 * shared and busy (store-outage.test.ts checks the timeout itself, at 200 ms).
 */
export const timeoutMs = 10_000;
