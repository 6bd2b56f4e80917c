import knex, { type Knex } from 'knex';

/** A knex instance bound to PostgreSQL. */
export type Database = Knex;

/** Options for {@link createDatabase}. */
export interface DatabaseOptions {
  /** Largest number of pooled connections [10]. */
  poolMax?: number;
  /** How long a query waits for a free connection before failing, in ms [5000]. */
  acquireTimeoutMs?: number;
  /**
   * How long a query waits for PostgreSQL's answer before it fails (as unavailable) and its
   * connection is thrown away, in ms [no limit]. For servers: a database that stops answering
   * without closing its connections (a network partition) must not hold requests, and the pool,
   * for the many minutes TCP takes to notice. Leave it unset for migrations and long purges.
   */
  queryTimeoutMs?: number;
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
  const acquireTimeoutMs = options.acquireTimeoutMs ?? 5000;
  return knex({
    client: 'pg',
    connection: {
      connectionString: url,
      application_name: 'portcullis',
      // A connection attempt that hangs (packets dropped) gives up with the acquisition.
      connectionTimeoutMillis: acquireTimeoutMs,
      ...(options.queryTimeoutMs ? { query_timeout: options.queryTimeoutMs } : {}),
    },
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
      // A connection whose last query never got its answer (it timed out) is still waiting for
      // it: thrown away rather than handed out again.
      validate: (conn: { readyForQuery?: boolean }) => conn.readyForQuery === true,
    },
    acquireConnectionTimeout: acquireTimeoutMs,
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
