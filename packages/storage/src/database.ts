import knex, { type Knex } from 'knex';

/** A knex instance bound to PostgreSQL. */
export type Database = Knex;

/** Options for {@link createDatabase}. */
export interface DatabaseOptions {
  /** Largest number of pooled connections [10]. */
  poolMax?: number;
  /** How long a query waits for a free connection before failing, in ms [5000]. */
  acquireTimeoutMs?: number;
}

/**
 * Creates a pooled knex instance for `url`. Nothing connects until the first query, so this is
 * safe to call at start-up before the database is reachable.
 *
 * @example
 * const db = createDatabase(process.env.DATABASE_URL!);
 * await db.raw('select 1');
 * await db.destroy();
 */
export function createDatabase(url: string, options: DatabaseOptions = {}): Database {
  return knex({
    client: 'pg',
    connection: { connectionString: url, application_name: 'portcullis' },
    pool: {
      min: 0,
      max: options.poolMax ?? 10,
      // An idle connection that the server dropped must not crash the process.
      afterCreate(
        conn: { on(event: string, fn: (err: Error) => void): void },
        done: (err: Error | null, conn: unknown) => void,
      ) {
        conn.on('error', () => {});
        done(null, conn);
      },
    },
    acquireConnectionTimeout: options.acquireTimeoutMs ?? 5000,
    // knex prints connection failures on its own; callers report them once, their way.
    log: { warn() {}, error() {}, deprecate() {}, debug() {} },
  });
}

/** True when the database answers a trivial query. */
export async function pingDatabase(db: Database): Promise<boolean> {
  try {
    await db.raw('select 1');
    return true;
  } catch {
    return false;
  }
}
