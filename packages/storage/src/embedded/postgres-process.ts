import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PostgresBinaries } from './postgres-binaries.ts';
import type { PostgresUser } from './postgres-user.ts';

/** The last lines a PostgreSQL program wrote, to explain a failure in one line. */
class RecentOutput {
  #lines: string[] = [];

  add(chunk: Buffer): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      // Without the log prefix ("2026-01-01 10:00:00.000 UTC [123] "): the message is what tells.
      const message = line.replace(/^\d{4}-\d\d-\d\d [\d:.]+ \S+ \[\d+\] /, '').trim();
      if (message) this.#lines.push(message);
    }
    if (this.#lines.length > 20) this.#lines.splice(0, this.#lines.length - 20);
  }

  /** The most telling lines: errors and fatal messages first, else the last ones. */
  summary(): string {
    const telling = this.#lines.filter((line) => /error|fatal|panic|could not/i.test(line));
    return (telling.length ? telling : this.#lines).slice(-3).join(' ').slice(-400);
  }
}

// Messages in English whatever the user's locale, so that readiness and failures read the same.
const ENV = { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C', LANG: 'C' };

/**
 * Creates a cluster in `pgDir` (which must be absent or empty) with one superuser `postgres`
 * whose password is `password`, owned by `user` when we are root.
 */
export async function initCluster(
  binaries: PostgresBinaries,
  pgDir: string,
  password: string,
  user: PostgresUser | undefined,
): Promise<void> {
  await mkdir(pgDir, { recursive: true, mode: 0o700 });
  if (user) await chown(pgDir, user.uid, user.gid);
  // The password travels in a file only its reader can open, next to the cluster (a folder the
  // postgres user can enter), removed as soon as initdb has read it.
  const passwordFile = path.join(path.dirname(pgDir), `.initdb-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (user) await chown(passwordFile, user.uid, user.gid);
    await chmod(passwordFile, 0o600);
    const output = new RecentOutput();
    const child = spawn(
      binaries.initdb,
      [
        `--pgdata=${pgDir}`,
        '--auth=scram-sha-256',
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      { env: ENV, stdio: ['ignore', 'pipe', 'pipe'], ...user },
    );
    child.stdout.on('data', (chunk: Buffer) => output.add(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.add(chunk));
    const code = await exited(child);
    if (code !== 0) throw new Error(`initdb failed: ${output.summary() || `exit code ${code}`}`);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/** A PostgreSQL server this process started, and how to stop it. */
export interface PostgresProcess {
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts the server of the cluster in `pgDir` on 127.0.0.1:`port` (no Unix socket), as `user`
 * when we are root, and resolves once it accepts connections.
 */
export async function startPostgres(
  binaries: PostgresBinaries,
  pgDir: string,
  port: number,
  user: PostgresUser | undefined,
): Promise<PostgresProcess> {
  const output = new RecentOutput();
  const child = spawn(
    binaries.postgres,
    [
      '-D',
      pgDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
    ],
    { env: ENV, stdio: ['ignore', 'pipe', 'pipe'], ...user },
  );
  // Read everything the server writes for as long as it runs: a full pipe would block it.
  child.stdout.on('data', (chunk: Buffer) => output.add(chunk));
  const gone = exited(child);
  const ready = new Promise<undefined>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      output.add(chunk);
      if (chunk.toString('utf8').includes('database system is ready to accept connections')) {
        resolve(undefined);
      }
    });
  });
  // Undefined once the server is ready; the exit code (or signal) if it stopped before that.
  const exit = await Promise.race([ready, gone]);
  if (exit !== undefined) throw new Error(output.summary() || `postgres exited with ${exit}`);
  return {
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGINT: PostgreSQL's fast shutdown (roll back open transactions, then exit cleanly).
      child.kill('SIGINT');
      await gone;
    },
  };
}

function exited(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? 'error'));
    child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
}
