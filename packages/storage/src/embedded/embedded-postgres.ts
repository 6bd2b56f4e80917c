import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, lstat, mkdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { clusterLocation, SYSTEM_DIR } from './cluster-location.ts';
import { explainFilesystemErrors } from './filesystem-errors.ts';
import { binariesFor, findPostgresBinaries } from './postgres-binaries.ts';
import { initCluster, type PostgresProcess, startPostgres } from './postgres-process.ts';
import { postgresUser } from './postgres-user.ts';

/** A PostgreSQL server this process can use, and how to let go of it. */
export interface RunningDatabase {
  /** Connection URL (contains a password: never log it). */
  url: string;
  /** True when this process started the server (and so `stop()` stops it). */
  startedHere: boolean;
  /** The embedded cluster's folder (PGDATA); undefined for a server named by DATABASE_URL. */
  location?: string | undefined;
  stop(): Promise<void>;
}

interface EmbeddedState {
  port: number;
  password: string;
}

const DATABASE = 'portcullis';
const USER = 'postgres';

/** How to run the embedded PostgreSQL; tests pass a system folder of their own. */
export interface EmbeddedOptions {
  /** Called with a line to show the user (on first initialisation). */
  log?: (line: string) => void;
  /** Where root's clusters go when the data folder is out of reach [`/var/lib/portcullis`]. */
  systemDir?: string;
}

/**
 * Starts the embedded PostgreSQL of the data folder `dataDir` (initialising it on first use), or
 * joins the one another process already runs from the same folder, so the CLI works while `dev`
 * runs. As root it runs as the `postgres` system user; when that user cannot reach `dataDir` (a
 * checkout in a mode-0700 home), the cluster lives under {@link SYSTEM_DIR} instead, linked from
 * `<dataDir>/pg` (see cluster-location.ts).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  options: EmbeddedOptions = {},
): Promise<RunningDatabase> {
  const { log = () => {}, systemDir = SYSTEM_DIR } = options;
  const root = path.resolve(dataDir);
  return explainFilesystemErrors(async () => {
    // First, so that an install without the optional binaries touches no folder before saying so.
    const installed = await findPostgresBinaries();
    await makeFolder(root);
    const user = await postgresUser();
    const { pgDir, relocated } = await clusterLocation(root, user, systemDir);
    const state = await loadState(root);

    const runningPort = await runningServerPort(pgDir);
    if (runningPort !== undefined) {
      return {
        url: urlFor(state.password, runningPort),
        startedHere: false,
        location: pgDir,
        stop: async () => {},
      };
    }

    state.port = (await isPortFree(state.port)) ? state.port : await freePort();
    await saveState(root, state);
    const binaries = await binariesFor(installed, user, systemDir);
    let server: PostgresProcess;
    try {
      if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
        log(
          relocated
            ? `initialising the embedded PostgreSQL in ${pgDir} (the postgres user it runs as cannot enter ${root}; linked from ${path.join(root, 'pg')})`
            : `initialising the embedded PostgreSQL in ${pgDir}`,
        );
        await initCluster(binaries, pgDir, state.password, user);
      }
      server = await startPostgres(binaries, pgDir, state.port, user);
    } catch (error) {
      throw new Error(
        `the embedded PostgreSQL in ${pgDir} did not start: ${(error as Error).message}`,
        { cause: error },
      );
    }
    try {
      await ensureDatabase(state.password, state.port);
    } catch (error) {
      await server.stop();
      throw error;
    }

    const stopOnExit = () => signalPostmaster(pgDir);
    process.on('exit', stopOnExit);
    return {
      url: urlFor(state.password, state.port),
      startedHere: true,
      location: pgDir,
      async stop() {
        process.off('exit', stopOnExit);
        await server.stop();
      },
    };
  });
}

// What a data folder holds once the embedded PostgreSQL or `dev` used it.
const DATA_FOLDER_MARKS = ['pg', 'embedded-postgres.json', 'dev-secrets.json'];

/**
 * Deletes the embedded PostgreSQL of the data folder `dataDir` (wherever its cluster lives) and
 * the data folder itself. Refuses while a server runs from it. Returns the folders removed.
 */
export async function removeEmbeddedPostgres(dataDir: string): Promise<string[]> {
  const root = path.resolve(dataDir);
  return explainFilesystemErrors(async () => {
    const link = path.join(root, 'pg');
    const linked = await lstat(link).catch(() => undefined);
    if (!linked && !(await lstat(root).catch(() => undefined))) return [];
    // Never a folder that is not ours (PORTCULLIS_DATA_DIR=$HOME by mistake): it must hold what
    // the embedded PostgreSQL or `dev` put there.
    if (!DATA_FOLDER_MARKS.some((name) => existsSync(path.join(root, name)))) {
      throw new Error(
        `${root} holds no ${DATA_FOLDER_MARKS.join(', ')}: it is not a Portcullis data folder, nothing removed`,
      );
    }
    const pgDir = linked?.isSymbolicLink() ? path.resolve(root, await readlink(link)) : link;
    if ((await runningServerPort(pgDir)) !== undefined) {
      throw new Error(
        `the embedded PostgreSQL in ${pgDir} is running: stop \`portcullis dev\` (or whatever started it) first`,
      );
    }
    const removed: string[] = [];
    if (pgDir !== link) {
      // The relocated cluster's own folder (<system folder>/clusters/<digest>), which names the
      // data folder it belongs to: only such a folder is removed along with the link.
      const home = path.dirname(pgDir);
      if (existsSync(path.join(home, 'data-folder'))) {
        await rm(home, { recursive: true, force: true });
        removed.push(home);
      }
    }
    await rm(root, { recursive: true, force: true });
    removed.push(root);
    return removed;
  });
}

// mkdir -p, except that a failure names its real cause: a recursive mkdir under a read-only
// mount reports ENOENT for the missing folder, where creating it alone reports EROFS.
async function makeFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    let missing = dir;
    while (!existsSync(path.dirname(missing)) && missing !== path.dirname(missing)) {
      missing = path.dirname(missing);
    }
    await mkdir(missing, { mode: 0o700 });
    throw error;
  }
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
  return startEmbeddedPostgres(options.dataDir, { log: options.log });
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

/**
 * A free TCP port on loopback, for servers started by this process (and by tests). Chosen below
 * the system's ephemeral range when there is room: a port the kernel hands out for `listen(0)`
 * is an ephemeral one, and once released any outgoing connection (to PostgreSQL, say) may take
 * it before the caller listens on it (EADDRINUSE under a busy test suite).
 */
export async function freePort(): Promise<number> {
  const firstEphemeral = await firstEphemeralPort();
  if (firstEphemeral !== undefined && firstEphemeral > LOW_PORTS + 1024) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const port = LOW_PORTS + Math.floor(Math.random() * (firstEphemeral - LOW_PORTS));
      if (await isPortFree(port)) return port;
    }
  }
  return kernelPort();
}

// Where freePort looks first: above the well-known and registered ports most services use.
const LOW_PORTS = 10_000;

// The first port of Linux's ephemeral range; undefined elsewhere. Read once per process.
let ephemeralStart: Promise<number | undefined> | undefined;
function firstEphemeralPort(): Promise<number | undefined> {
  ephemeralStart ??= readEphemeralStart();
  return ephemeralStart;
}

async function readEphemeralStart(): Promise<number | undefined> {
  try {
    const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    const first = Number(range.trim().split(/\s+/)[0]);
    return Number.isInteger(first) ? first : undefined;
  } catch {
    return undefined;
  }
}

function kernelPort(): Promise<number> {
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
