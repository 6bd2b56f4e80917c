import type { Knex } from 'knex';

/**
 * Brute-force counters shared by every replica: one row per limited key (a client id, an address
 * or an account), with the failures counted in its window and when the window (or lockout) ends,
 * in epoch milliseconds. The columns are exactly the ones rate-limiter-flexible's
 * RateLimiterPostgres reads and writes; the library is told the table exists and never creates
 * it. Rows are short-lived: the limiter deletes those that expired more than an hour ago.
 * Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'CREATE TABLE rate_limits (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)',
  );
  await knex.raw('CREATE INDEX rate_limits_expire_idx ON rate_limits (expire)');
}

/** Drops the counters (they only ever hold the last few minutes of failures). */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS rate_limits');
}
