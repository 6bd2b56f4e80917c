import {
  fail,
  integerInRange,
  optionalObject,
  rejectUnknownKeys,
} from '../config/option-checks.ts';
import { postgresThrottleSql } from './postgres-throttle-sql.ts';
import type { ThrottleStore } from './throttle-store.ts';
import { withinTimeout } from './within-timeout.ts';

/**
 * What the PostgreSQL store needs of a client: `query(text, values)` as a `pg` `Pool` (8.x) has
 * it. Structural, so this package never loads `pg` itself; pass a pool, not one `Client`, so
 * that concurrent requests do not queue behind one connection.
 */
export interface PostgresThrottlePool {
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

/** Options of {@link createPostgresThrottleStore}. */
export interface PostgresThrottleStoreOptions {
  /** A `pg` `Pool` on the API's own database; the store never ends it. */
  pool: PostgresThrottlePool;
  /**
   * The counters' table [`portcullis_throttle_counters`], optionally schema-qualified
   * (`api.throttle_counters`): lower-case letters, digits and underscores. `setup()` creates it.
   */
  table?: string;
  /**
   * Milliseconds a statement may take, waiting for a connection included [1000], 1 to 60000;
   * past it the call fails and the throttle's `onStoreError` decides.
   */
  timeoutMs?: number;
  /**
   * At most how often an increment also deletes up to 1000 expired counters, in milliseconds
   * [60000], 0 (never: call `purgeExpired()` yourself) to 86400000.
   */
  purgeIntervalMs?: number;
}

/** The PostgreSQL throttle store, with its set-up and clean-up calls. */
export interface PostgresThrottleStore extends ThrottleStore {
  /**
   * Creates the table and its index if they are missing (idempotent); run it once when the API
   * is deployed, as a migration step, or run the SQL of `postgresThrottleSql(table)` yourself.
   */
  setup(): Promise<void>;
  /** Deletes up to `limit` [1000] expired counters and returns how many went. */
  purgeExpired(limit?: number): Promise<number>;
}

const optionKeys = new Set(['pool', 'table', 'timeoutMs', 'purgeIntervalMs']);
// Expired rows deleted per purge: one short statement, however many have piled up.
const purgeBatch = 1000;

/**
 * Creates a throttle store in a PostgreSQL table, shared by every replica of an API that has a
 * database but no Redis. Each increment is one `INSERT ... ON CONFLICT DO UPDATE` (atomic: no
 * count is lost under concurrency, across any number of replicas), and expiry is judged by the
 * database's clock, so replicas with skewed clocks still agree. Install `pg` (8.x, an optional
 * peer dependency), create the table once with `setup()`, and pass the pool.
 *
 * @example
 * import pg from 'pg';
 * import { createPostgresThrottleStore } from '@portcullis/resource-server/postgres';
 * const store = createPostgresThrottleStore({ pool: new pg.Pool({ connectionString }) });
 * await store.setup();
 * router.post('/notes', rs.authenticate(), throttle({ rate: '10/min', by: 'client', store }));
 */
export function createPostgresThrottleStore(
  options: PostgresThrottleStoreOptions,
): PostgresThrottleStore {
  const given = optionalObject('createPostgresThrottleStore', options);
  rejectUnknownKeys(given, optionKeys, 'createPostgresThrottleStore.');
  const pool = given.pool as PostgresThrottlePool;
  if (typeof pool !== 'object' || pool === null || typeof pool.query !== 'function') {
    fail('createPostgresThrottleStore.pool', 'must be a pg Pool (an object with query)');
  }
  const sql = postgresThrottleSql(given.table, 'createPostgresThrottleStore.table');
  const timeoutMs = integerInRange(
    'createPostgresThrottleStore.timeoutMs',
    given.timeoutMs,
    1000,
    1,
    60_000,
  );
  const purgeIntervalMs = integerInRange(
    'createPostgresThrottleStore.purgeIntervalMs',
    given.purgeIntervalMs,
    60_000,
    0,
    86_400_000,
  );
  const query = (text: string, values: unknown[]) =>
    withinTimeout(pool.query(text, values), timeoutMs, 'the PostgreSQL throttle store');

  async function purgeExpired(limit = purgeBatch) {
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new TypeError('purgeExpired(limit): limit must be a positive integer');
    }
    const result = await query(sql.purge, [limit]);
    return result.rowCount ?? 0;
  }

  let lastPurge = Date.now();
  function maybePurge() {
    if (purgeIntervalMs === 0 || Date.now() - lastPurge < purgeIntervalMs) return;
    lastPurge = Date.now();
    // In the background: a request never waits for the clean-up, and a failed one is retried
    // at the next interval (an outage shows in the increments themselves).
    purgeExpired().catch(() => undefined);
  }

  // pg answers an integer column as a number; anything else reaches the throttle's check.
  const countOf = (rows: Record<string, unknown>[]) => (rows[0]?.count ?? 0) as number;

  return {
    async increment(key, ttlMs) {
      const { rows } = await query(sql.increment, [key, Math.max(1, Math.ceil(ttlMs))]);
      maybePurge();
      return countOf(rows);
    },
    async get(key) {
      return countOf((await query(sql.get, [key])).rows);
    },
    async setup() {
      await withinTimeout(pool.query(sql.setup), timeoutMs, 'the PostgreSQL throttle store');
    },
    purgeExpired,
  };
}
