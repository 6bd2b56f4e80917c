import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Database } from '../database.ts';
import { migrateLatest } from '../migrator.ts';

/** A fresh, migrated database of its own for one test file. */
export interface TestDatabase {
  /** Its connection URL. */
  url: string;
  /** A pool on it. */
  db: Database;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * Creates a new database next to `DATABASE_URL` (the suite's launcher sets it, starting the
 * embedded PostgreSQL when it was unset), migrated to the latest schema. Test files run in
 * parallel, so each gets its own database and none shares mutable state.
 */
export async function createTestDatabase(
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    throw new Error('DATABASE_URL is not set: run the tests with `pnpm test`, which provides one');
  }
  const name = `portcullis_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = createDatabase(url.toString());
  if (options.migrate !== false) await migrateLatest(db);
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.destroy();
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
