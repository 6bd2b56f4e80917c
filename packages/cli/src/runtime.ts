import os from 'node:os';
import path from 'node:path';
import { SETTING } from '@portcullis/auth-server/config';
import type { Database, DatabaseOptions, RunningDatabase } from '@portcullis/storage';
import { CliError } from './errors.ts';
import { loadStorage } from './lazy.ts';

/** Where the CLI's inputs and outputs go; tests pass their own. */
export interface Io {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

/** The data folder: `PORTCULLIS_DATA_DIR`, or its default, in the working directory. */
export function dataDir(env: NodeJS.ProcessEnv): string {
  return path.resolve(env.PORTCULLIS_DATA_DIR || SETTING.PORTCULLIS_DATA_DIR.value);
}

/**
 * Opens the database named by `DATABASE_URL`, or else its default (`SETTING.DATABASE_URL`: the
 * embedded PostgreSQL in the data folder), with a pool made with `options` (the server's:
 * {@link SERVER_DATABASE}).
 */
export async function openDatabase(
  io: Io,
  options: DatabaseOptions = {},
): Promise<{ db: Database; database: RunningDatabase; close(): Promise<void> }> {
  if (io.env.PORTCULLIS_SERVER?.trim()) {
    // Remote mode (`--server`): a command that still needs the database refuses in one line
    // (those marked localOnly refuse before this, naming themselves).
    throw new CliError(
      'this command is not available with --server: run it where the database is (without --server and PORTCULLIS_SERVER)',
    );
  }
  const { createDatabase, resolveDatabase } = await loadStorage();
  const database = await resolveDatabase({
    databaseUrl: io.env.DATABASE_URL,
    dataDir: dataDir(io.env),
    log: (line) => io.stderr.write(`${line}\n`),
  });
  const db = createDatabase(database.url, options);
  return {
    db,
    database,
    async close() {
      await db.destroy();
      await database.stop();
    },
  };
}

/**
 * The pool of a server: no request waits more than 5 s for a connection or 10 s for a query's
 * answer, so a database that stops answering gets 503s rather than hung requests, and its
 * connections are replaced once it is back (docs/operators.md, "Database outages").
 */
export const SERVER_DATABASE: DatabaseOptions = { acquireTimeoutMs: 5000, queryTimeoutMs: 10_000 };

/**
 * The pool of a one-shot command (`clients create`, `users list`, ...): nobody's request waits
 * behind it, so it waits up to 30 s for a connection to a busy database, where a server gives up
 * after 5 s. A refused connection (nothing listening) still fails at once.
 */
const COMMAND_DATABASE: DatabaseOptions = { acquireTimeoutMs: 30_000 };

/**
 * Runs `work` with a database whose schema is current, then lets go of it (stopping the
 * embedded PostgreSQL if this command started it). In remote mode (`--server`) a command that
 * still needs the database refuses in one line: the admin API does not cover it yet.
 */
export async function withDatabase<T>(
  io: Io,
  work: (db: Database) => Promise<T>,
  options: { requireCurrentSchema?: boolean } = {},
): Promise<T> {
  const { assertSchemaCurrent } = await loadStorage();
  const opened = await openDatabase(io, COMMAND_DATABASE);
  try {
    if (options.requireCurrentSchema !== false) await assertSchemaCurrent(opened.db);
    return await work(opened.db);
  } finally {
    await opened.close();
  }
}

/**
 * Who the audit trail says made a change from the CLI: `cli:<operating-system user>`, or
 * `PORTCULLIS_ACTOR` when set (for automation that acts for a named person).
 *
 * @example
 * await audit.record({ type: 'client.created', actor: cliActor(io), clientId });
 */
export function cliActor(io: Io): string {
  const named = io.env.PORTCULLIS_ACTOR?.trim();
  if (named) return `cli:${named}`;
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return 'cli:unknown';
  }
}
