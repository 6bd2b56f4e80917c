import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { restartDelay } from '../src/cluster.ts';

// `portcullis serve --workers N` through the real binary: a node:cluster primary and N worker
// processes sharing one port. Which process answered a request is read from the operating
// system (/proc): the worker holding the server side of that TCP connection. Starting workers
// takes seconds each on a busy machine, hence a slow test (`pnpm test:slow`).

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/bin.ts');

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const secrets = {
  PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
  PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
};

interface Primary {
  child: ChildProcess;
  port: number;
  /** The primary's one line of JSON once every worker listens. */
  ready: Promise<{ pid: number; port: number; workers: number[] }>;
  /** The JSON log lines on stderr so far. */
  logs: Array<Record<string, unknown>>;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `portcullis serve --workers n --json` as its own process on a free port. */
async function startPrimary(workers: string, env: Record<string, string> = {}): Promise<Primary> {
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'serve', '--workers', workers, '--json'], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: database.url,
      PORTCULLIS_HOST: '127.0.0.1',
      PORTCULLIS_PORT: String(port),
      PORTCULLIS_ISSUER: `http://127.0.0.1:${port}`,
      ...secrets,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let partial = '';
  const logs: Array<Record<string, unknown>> = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('{')) logs.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  const ready = new Promise<{ pid: number; port: number; workers: number[] }>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve(JSON.parse(stdout.split('\n')[0] as string));
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  // Tests that expect a failure never wait for `ready`.
  ready.catch(() => {});
  return { child, port, ready, logs, stderr: () => stderr, exited };
}

/** The inode of the server side of the TCP connection from `clientPort` to `serverPort`. */
async function serverSocketInode(serverPort: number, clientPort: number) {
  const portOf = (address: string) => Number.parseInt(address.split(':')[1] ?? '', 16);
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const rows = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const row of rows) {
      const [, local = '', remote = '', , , , , , , inode] = row.trim().split(/\s+/);
      if (portOf(local) === serverPort && portOf(remote) === clientPort) return inode;
    }
  }
  return undefined;
}

/** Which of `pids` holds the socket with `inode` (each answers requests on its own sockets). */
async function holderOf(pids: number[], inode: string) {
  for (const pid of pids) {
    for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      if (link === `socket:[${inode}]`) return pid;
    }
  }
  return undefined;
}

/**
 * Sends GET /healthz on a new connection and, while it is still open, finds the process among
 * `pids` that accepted it. Returns that pid and the status.
 */
async function whoAnswers(port: number, pids: number[]) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const { status, clientPort } = await new Promise<{ status: number; clientPort: number }>(
      (resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
          res.resume();
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, clientPort: req.socket?.localPort ?? 0 }),
          );
        });
        req.on('error', reject);
        req.end();
      },
    );
    const inode = await serverSocketInode(port, clientPort);
    return { status, pid: inode ? await holderOf(pids, inode) : undefined };
  } finally {
    agent.destroy();
  }
}

/** Opens new connections until every one of `pids` has answered one (round-robin: soon). */
async function answeringPids(port: number, pids: number[]) {
  const seen = new Set<number>();
  const statuses = new Set<number>();
  let requests = 0;
  for (; requests < pids.length * 6 && seen.size < pids.length; requests += 1) {
    const answer = await whoAnswers(port, pids);
    statuses.add(answer.status);
    if (answer.pid !== undefined) seen.add(answer.pid);
  }
  return { pids: [...seen].sort(), statuses: [...statuses], requests };
}

/** The sum of the samples of `metric` whose labels include every one of `labels`. */
async function scrape(url: string, metric: string, labels: string[]) {
  const text = await (await fetch(url)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`) && labels.every((l) => line.includes(l)))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Waits for `condition`, checking every 50 ms, for at most `seconds`. */
async function until(what: string, condition: () => boolean, seconds = 40) {
  const deadline = Date.now() + seconds * 1000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test.serial(
  'three workers answer on one port; a killed worker is replaced; SIGTERM stops them all and exits 0',
  async (t) => {
    t.timeout(120_000);
    const metricsPort = await freePort();
    const primary = await startPrimary('3', { PORTCULLIS_METRICS_PORT: String(metricsPort) });
    t.teardown(() => {
      if (primary.child.exitCode === null) primary.child.kill('SIGKILL');
    });
    const ready = await primary.ready;
    t.is(ready.pid, primary.child.pid as number);
    t.is(ready.port, primary.port);
    t.is(new Set(ready.workers).size, 3, 'three distinct worker processes');

    const first = await answeringPids(primary.port, ready.workers);
    t.deepEqual(first.statuses, [200]);
    t.deepEqual(first.pids, [...ready.workers].sort(), 'each worker answered a connection');
    // The primary serves the metrics of all three added up.
    t.is(
      await scrape(`http://127.0.0.1:${metricsPort}/metrics`, 'portcullis_http_requests_total', [
        'route="healthz"',
        'status="200"',
      ]),
      first.requests,
    );

    const [victim, ...survivors] = ready.workers as [number, ...number[]];
    process.kill(victim, 'SIGKILL');
    await until('a new worker listens', () =>
      primary.logs.some((line) => line.message === 'worker listening'),
    );
    const died = primary.logs.find((line) => line.message === 'worker died; starting another');
    t.like(died, { worker: victim, signal: 'SIGKILL', restart_in_ms: restartDelay(0) });
    const replacement = primary.logs.find((line) => line.message === 'worker listening')
      ?.worker as number;
    t.false(ready.workers.includes(replacement));
    t.false(isRunning(victim));
    const workers = [...survivors, replacement];
    const second = await answeringPids(primary.port, workers);
    t.deepEqual(second.statuses, [200]);
    t.deepEqual(second.pids, [...workers].sort(), 'the replacement answers too');

    primary.child.kill('SIGTERM');
    t.is(await primary.exited, 0, primary.stderr());
    t.regex(primary.stderr(), /received SIGTERM, stopping 3 workers/);
    for (const pid of workers) t.false(isRunning(pid), `worker ${pid} is gone`);
  },
);

test.serial('a worker that cannot start stops the primary: exit 1 and why', async (t) => {
  t.timeout(120_000);
  // The signing keys were stored with another key-encryption key: every worker fails the same way.
  const primary = await startPrimary('2', {
    PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
  });
  t.is(await primary.exited, 1);
  t.regex(primary.stderr(), /cannot decrypt the signing keys/);
  t.regex(primary.stderr(), /portcullis: worker \d+ could not start \(it exited with code 1\)\n$/);
  t.false(primary.stderr().includes('starting another'), 'no restart loop');
});
