import { fail } from '../config/option-checks.ts';

/** The statements of the PostgreSQL throttle store, for one table. */
export interface PostgresThrottleSql {
  /** Creates the table and its index if missing: what `setup()` runs. */
  readonly setup: string;
  readonly increment: string;
  readonly get: string;
  readonly purge: string;
}

const identifier = '[a-z_][a-z0-9_]{0,62}';
const tablePattern = new RegExp(`^(?:(${identifier})\\.)?(${identifier})$`);

/**
 * The SQL of the PostgreSQL throttle store for `table` [`portcullis_throttle_counters`], checked
 * as an identifier (optionally schema-qualified) and quoted; for teams that create the table in
 * their own migrations instead of calling `setup()`.
 *
 * @example
 * await knex.raw(postgresThrottleSql('api.throttle_counters').setup);
 */
export function postgresThrottleSql(
  table: unknown = 'portcullis_throttle_counters',
  key = 'table',
): PostgresThrottleSql {
  const match = typeof table === 'string' ? tablePattern.exec(table) : null;
  if (match === null) {
    fail(key, 'must be a table name, optionally schema-qualified: a-z, 0-9 and _, 1 to 63 each');
  }
  const [, schema, name] = match;
  const quoted = `${schema === undefined ? '' : `"${schema}".`}"${name}"`;
  // Postgres truncates identifiers at 63 bytes: the index name stays within them.
  const index = `"${name!.slice(0, 48)}_expires_idx"`;
  return Object.freeze({
    // UNLOGGED: counters are worth no WAL; a crash that empties the table only resets windows.
    setup: `CREATE UNLOGGED TABLE IF NOT EXISTS ${quoted} (
  key text PRIMARY KEY,
  count integer NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ${index} ON ${quoted} (expires_at);`,
    // One statement: concurrent upserts of one key are serialised by its row lock, so each
    // returns a distinct count. An expired row starts again at 1 with a new expiry.
    increment: `INSERT INTO ${quoted} AS c (key, count, expires_at)
VALUES ($1, 1, now() + $2::float8 * interval '1 millisecond')
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN c.expires_at <= now() THEN 1 ELSE c.count + 1 END,
  expires_at = CASE WHEN c.expires_at <= now() THEN excluded.expires_at ELSE c.expires_at END
RETURNING count`,
    get: `SELECT count FROM ${quoted} WHERE key = $1 AND expires_at > now()`,
    // The outer condition is checked again on a row an increment renewed meanwhile, which then
    // stays.
    purge: `DELETE FROM ${quoted} WHERE expires_at <= now() AND key IN (
  SELECT key FROM ${quoted} WHERE expires_at <= now() LIMIT $1
)`,
  });
}
