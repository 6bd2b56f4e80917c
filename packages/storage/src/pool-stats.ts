import type { Database } from './database.ts';

/** How a database's connection pool is used at one moment. */
export interface PoolStats {
  /** Connections lent out to queries now. */
  used: number;
  /** Open connections waiting for a query. */
  free: number;
  /** Queries waiting for a connection. */
  pendingAcquires: number;
  /** Connections being opened. */
  pendingCreates: number;
  /** The most connections the pool opens. */
  max: number;
}

// The parts of knex's pool (tarn) read here.
interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
  max: number;
}

const isTarnPool = (pool: unknown): pool is TarnPool =>
  typeof (pool as Partial<TarnPool> | undefined)?.numUsed === 'function';

/**
 * The connection pool's use now; all zeros once the database is destroyed. Cheap (no query), so
 * a metrics scrape may call it every time.
 *
 * @example
 * const { used, free, pendingAcquires } = databasePoolStats(db);
 */
export function databasePoolStats(db: Database): PoolStats {
  const pool: unknown = db.client.pool;
  if (!isTarnPool(pool)) {
    return { used: 0, free: 0, pendingAcquires: 0, pendingCreates: 0, max: 0 };
  }
  return {
    used: pool.numUsed(),
    free: pool.numFree(),
    pendingAcquires: pool.numPendingAcquires(),
    pendingCreates: pool.numPendingCreates(),
    max: pool.max,
  };
}
