// The `@portcullis/resource-server/postgres` entry point: the PostgreSQL throttle store, apart
// from the package root like its optional peer `pg`, which only APIs sharing counters through
// PostgreSQL install.

export {
  createPostgresThrottleStore,
  type PostgresThrottlePool,
  type PostgresThrottleStore,
  type PostgresThrottleStoreOptions,
} from './throttle/create-postgres-throttle-store.ts';
export { type PostgresThrottleSql, postgresThrottleSql } from './throttle/postgres-throttle-sql.ts';
