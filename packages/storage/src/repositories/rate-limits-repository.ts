import type { Database } from '../database.ts';

/** The table every failure counter keeps its rows in (migration 0008). */
const RATE_LIMITS_TABLE = 'rate_limits';

/** A counter as stored: failures counted, and when its window ends (ms since the epoch). */
export interface RateLimitCounter {
  points: number;
  /** null: the counter never expires. */
  expiresAt: number | null;
}

/**
 * What rate-limiter-flexible's `RateLimiterPostgres` needs to count in the `rate_limits` table:
 * the knex client to run its own upserts with, and the table, which the migrations create.
 *
 * @example
 * const limiter = new RateLimiterPostgres({ ...rateLimiterStore(db), keyPrefix: 'signin', points: 5, duration: 60 });
 */
export function rateLimiterStore(db: Database) {
  return {
    storeClient: db,
    storeType: 'knex',
    tableName: RATE_LIMITS_TABLE,
    tableCreated: true,
  } as const;
}

/**
 * The failure counters of the brute-force limits, for the operations the limiter itself lacks.
 *
 * @example
 * const removed = await createRateLimitsRepository(db).delete('signin:3f9a...');
 */
export function createRateLimitsRepository(db: Database) {
  return {
    /** Deletes the counter under `key` (prefix included); resolves with what it held, if any. */
    async delete(key: string): Promise<RateLimitCounter | undefined> {
      const rows: Array<{ points: number; expire: string | number | null }> = await db(
        RATE_LIMITS_TABLE,
      )
        .where({ key })
        .del()
        .returning(['points', 'expire']);
      const row = rows[0];
      if (!row) return undefined;
      return { points: row.points, expiresAt: row.expire === null ? null : Number(row.expire) };
    },
  };
}

/** The repository {@link createRateLimitsRepository} returns. */
export type RateLimitsRepository = ReturnType<typeof createRateLimitsRepository>;
