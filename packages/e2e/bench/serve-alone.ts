// Production `portcullis serve` (or `serve --workers N`) as a process of its own, as an operator
// runs it (JSON access log on stderr, to a file), loaded with client-credentials token requests
// by wrk: its CPU time per request (all its processes: with workers, the primary too), p99, and
// its resident memory (issue 16, items 3 and 4).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, freePort } from '@portcullis/storage/testing';
import { cliJson } from '../src/index.ts';
import { cpuSeconds } from './browser-flows.ts';
import { median } from './paired-rounds.ts';
import { type Rss, rssOf } from './rss.ts';
import { type LoadRequest, runWrk, type WrkFigures } from './wrk.ts';

// One key-encryption key for every server this process starts: they share the database's keys.
const keyEncryptionKey = randomBytes(32).toString('base64url');
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

/** A running server under load: the request wrk sends it, its processes, how to stop it. */
export interface ServerUnderTest {
  child: ChildProcess;
  request: LoadRequest;
  /** Every process of it: the server, or the primary and its workers. */
  pids(): Promise<number[]>;
  stop(): Promise<void>;
}

/** A running `serve`: its issuer, the API resource registered for it, its token request. */
export interface ServeUnderTest extends ServerUnderTest {
  issuer: string;
  resource: string;
}

/** The children of `pid`, from /proc (the workers of a `serve --workers` primary). */
async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) children.push(Number(entry));
  }
  return children;
}

/** A `portcullis` command started by {@link startPortcullis}, listening. */
interface Started {
  child: ChildProcess;
  /** Its `--json` line. */
  info: { port: number };
  pids(): Promise<number[]>;
  stop(): Promise<void>;
}

/**
 * Starts `node [nodeArgs] bin ...args --json` with `env` (and PATH), its stderr (its log) to
 * `logFile`; resolves with its `--json` line once it listens.
 */
async function startPortcullis(
  bin: string,
  args: string[],
  options: { env: Record<string, string>; nodeArgs?: string[]; logFile: string },
): Promise<Started> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bin, ...args, '--json'], {
    cwd: root,
    env: { PATH: process.env.PATH, ...options.env },
    stdio: ['ignore', 'pipe', openSync(options.logFile, 'w')],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const info = await new Promise<{ port: number }>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
    });
    child.once('exit', (code) =>
      reject(new Error(`portcullis ${args[0]} exited with ${code} (its log: ${options.logFile})`)),
    );
  });
  return {
    child,
    info,
    async pids() {
      const pid = child.pid as number;
      return [pid, ...(await childrenOf(pid))];
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Registers an API resource and a client-credentials client for it on the migrated database
 * `databaseUrl`, then starts `portcullis serve --json` (with `--workers N` when given) from
 * `bin` (this checkout's CLI unless given: another checkout's, to compare builds), with
 * `nodeArgs` before it and `env` added to its environment, its log to `logFile`. Resolves once
 * it listens.
 *
 * @example
 * const serve = await startServeAlone({ databaseUrl, logFile: '.portcullis/serve.log' });
 */
export async function startServeAlone(options: {
  databaseUrl: string;
  logFile: string;
  workers?: number;
  bin?: string;
  nodeArgs?: string[];
  env?: Record<string, string>;
}): Promise<ServeUnderTest> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const cliEnv = {
    DATABASE_URL: options.databaseUrl,
    PORTCULLIS_KEY_ENCRYPTION_KEY: keyEncryptionKey,
  };
  const resource = `http://127.0.0.1:${await freePort()}`;
  await cliJson(cliEnv, [
    'resources',
    'create',
    '--identifier',
    resource,
    '--name',
    `Notes API ${port}`,
    '--scope',
    'notes:read=Read your notes',
  ]);
  const client = await cliJson<{ client_id: string; client_secret: string }>(cliEnv, [
    'clients',
    'create',
    '--name',
    `serve-bench-${port}`,
    '--grant',
    'client_credentials',
    '--resource',
    resource,
    '--scope',
    'notes:read',
    '--first-party',
  ]);
  const started = await startPortcullis(
    options.bin ?? path.join(root, 'packages/cli/src/bin.ts'),
    ['serve', ...(options.workers ? ['--workers', String(options.workers)] : [])],
    {
      env: {
        ...cliEnv,
        PORTCULLIS_PORT: String(port),
        PORTCULLIS_HOST: '127.0.0.1',
        PORTCULLIS_ISSUER: issuer,
        PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
        ...options.env,
      },
      logFile: options.logFile,
      ...(options.nodeArgs && { nodeArgs: options.nodeArgs }),
    },
  );
  const basic = Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64');
  return {
    ...started,
    issuer,
    resource,
    request: {
      url: `${issuer}/token`,
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=notes%3Aread',
    },
  };
}

/**
 * Starts `portcullis example-api --json` from `bin` for `serve`'s issuer and resource, with
 * `nodeArgs` and `env`, its log to `logFile`; its request is `GET /me` with a token `serve` issued.
 *
 * @example
 * const api = await startExampleApiAlone(serve, { bin, logFile: '.portcullis/api.log' });
 */
export async function startExampleApiAlone(
  serve: ServeUnderTest,
  options: { bin: string; nodeArgs?: string[]; env?: Record<string, string>; logFile: string },
): Promise<ServerUnderTest> {
  const response = await fetch(serve.request.url, {
    method: 'POST',
    headers: serve.request.headers ?? {},
    body: serve.request.body ?? '',
  });
  const { access_token: token } = (await response.json()) as { access_token: string };
  const started = await startPortcullis(options.bin, ['example-api'], {
    env: {
      PORTCULLIS_ISSUER: serve.issuer,
      PORTCULLIS_API_RESOURCE: serve.resource,
      PORTCULLIS_API_JWKS_URI: `${serve.issuer}/jwks`,
      PORTCULLIS_API_HOST: '127.0.0.1',
      PORTCULLIS_API_PORT: '0',
      ...options.env,
    },
    logFile: options.logFile,
    ...(options.nodeArgs && { nodeArgs: options.nodeArgs }),
  });
  return {
    ...started,
    request: {
      url: `http://127.0.0.1:${started.info.port}/me`,
      headers: { authorization: `Bearer ${token}` },
    },
  };
}

/**
 * Context switches of a process's main thread (its event loop), from /proc/<pid>/status:
 * voluntary ones are the loop going to sleep with nothing ready, involuntary ones the kernel
 * taking the CPU away from it.
 */
async function switchesOf(pid: number): Promise<{ voluntary: number; involuntary: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const count = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  return {
    voluntary: count('voluntary_ctxt_switches'),
    involuntary: count('nonvoluntary_ctxt_switches'),
  };
}

/** What {@link loadServe} measured. */
export interface ServeFigures extends WrkFigures {
  /** CPU time of all the server's processes per request, in microseconds. */
  cpuMicros: number;
  /**
   * Context switches of the event loops (all the server's processes) per request: how often a
   * loop slept for want of work (voluntary: the fewer, the more requests each wake-up serves)
   * and how often it was preempted (involuntary: CPUs shared with the load generator and others).
   */
  switchesPerRequest: { voluntary: number; involuntary: number };
  /** Memory of each of its processes after the load (the primary first). */
  rss: Rss[];
}

/**
 * Loads `serve` with its token request for `seconds` (after `warmupSeconds`) and reads the CPU
 * time all its processes spent per request, and their memory.
 *
 * @example
 * const figures = await loadServe(serve, { seconds: 10, warmupSeconds: 3, connections: 64 });
 */
export async function loadServe(
  serve: ServerUnderTest,
  options: { seconds: number; warmupSeconds: number; connections: number; cpu?: number },
): Promise<ServeFigures> {
  const load = {
    connections: options.connections,
    ...(options.cpu !== undefined && { cpu: options.cpu }),
  };
  if (options.warmupSeconds > 0)
    await runWrk(serve.request, { ...load, seconds: options.warmupSeconds });
  const pids = await serve.pids();
  const cpu = async () => (await Promise.all(pids.map(cpuSeconds))).reduce((a, b) => a + b, 0);
  const switches = async () =>
    (await Promise.all(pids.map(switchesOf))).reduce((a, b) => ({
      voluntary: a.voluntary + b.voluntary,
      involuntary: a.involuntary + b.involuntary,
    }));
  const switchesBefore = await switches();
  const before = await cpu();
  const figures = await runWrk(serve.request, { ...load, seconds: options.seconds });
  const spent = (await cpu()) - before;
  const switchesAfter = await switches();
  const perRequest = (n: number) => (figures.requests > 0 ? n / figures.requests : Number.NaN);
  return {
    ...figures,
    cpuMicros: perRequest(spent * 1e6),
    switchesPerRequest: {
      voluntary: perRequest(switchesAfter.voluntary - switchesBefore.voluntary),
      involuntary: perRequest(switchesAfter.involuntary - switchesBefore.involuntary),
    },
    rss: await Promise.all(pids.map(rssOf)),
  };
}

/** The CLI compiled to JavaScript (`pnpm build`), and the Node options that run it so. */
export const BUILT = {
  bin: path.join(root, 'packages/cli/dist/bin.js'),
  nodeArgs: ['--import', path.join(here, 'built-packages.mjs')],
};

/** What {@link measureProductionServe} measured. */
export interface ProductionServeFigures {
  /** `serve`, one process: each round, and its memory after all of them. */
  one: ServeFigures[];
  /** `serve --workers 2`: each round (CPU of the primary and both workers), and their memory. */
  workers: ServeFigures[];
  /** `portcullis example-api` (`GET /me` with a valid token), once, after the rounds. */
  api: ServeFigures;
}

/**
 * Production `serve` as an operator runs it, measured alone: the workspace compiled to
 * JavaScript (`pnpm build`, loaded through built-packages.mjs as the published packages are),
 * on a database of its own next to `env.DATABASE_URL`, its JSON log to files in `logDir`. One
 * process and `--workers 2` run side by side, idle in turn, and are loaded in alternating rounds
 * of `seconds` each (after a warm-up of each), unpinned: two workers need both CPUs.
 *
 * @example
 * const { one, workers } = await measureProductionServe(env, { rounds: 3, seconds: 5, warmupSeconds: 3, connections: 64, logDir });
 */
export async function measureProductionServe(
  env: NodeJS.ProcessEnv,
  options: {
    rounds: number;
    seconds: number;
    warmupSeconds: number;
    connections: number;
    logDir: string;
  },
): Promise<ProductionServeFigures> {
  const built = spawnSync(process.execPath, [path.join(root, 'scripts/build.ts')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (built.status !== 0) throw new Error('pnpm build failed');
  process.env.DATABASE_URL = env.DATABASE_URL;
  const database = await createTestDatabase();
  const started: ServerUnderTest[] = [];
  const { bin, nodeArgs } = BUILT;
  try {
    const start = async (workers?: number) => {
      const serve = await startServeAlone({
        databaseUrl: database.url,
        logFile: path.join(options.logDir, `serve-${workers ?? 1}.log`),
        bin,
        nodeArgs,
        ...(workers !== undefined && { workers }),
      });
      started.push(serve);
      return serve;
    };
    const one = await start();
    const workers = await start(2);
    const load = { connections: options.connections, warmupSeconds: 0 };
    for (const serve of [one, workers]) {
      await loadServe(serve, { ...load, seconds: options.warmupSeconds });
    }
    const ofOne: ServeFigures[] = [];
    const ofWorkers: ServeFigures[] = [];
    for (let round = 0; round < options.rounds; round++) {
      ofOne.push(await loadServe(one, { ...load, seconds: options.seconds }));
      ofWorkers.push(await loadServe(workers, { ...load, seconds: options.seconds }));
    }
    const api = await startExampleApiAlone(one, {
      bin,
      nodeArgs,
      logFile: path.join(options.logDir, 'example-api.log'),
    });
    started.push(api);
    const ofApi = await loadServe(api, {
      ...load,
      warmupSeconds: options.warmupSeconds,
      seconds: options.seconds,
    });
    return { one: ofOne, workers: ofWorkers, api: ofApi };
  } finally {
    for (const serve of started) await serve.stop();
    await database.drop();
  }
}

/** Every failed request of {@link measureProductionServe}'s runs. */
export function failuresOf(figures: ProductionServeFigures): number {
  return [...figures.one, ...figures.workers, figures.api].reduce((n, f) => n + f.failures, 0);
}

/**
 * The report's lines on `serve --workers 2` against one process (issue 16, item 4): CPU per
 * request of all their processes, throughput and p99, medians of the rounds; the ratio of CPU
 * per request is taken round by round.
 */
export function describeWorkers(figures: ProductionServeFigures): string {
  const of = (rounds: ServeFigures[]) =>
    `${median(rounds.map((f) => f.cpuMicros)).toFixed(0)} µs CPU/req, ${Math.round(median(rounds.map((f) => f.rps)))} req/s, p99 ${median(rounds.map((f) => f.p99)).toFixed(1)} ms`;
  const extra = figures.workers.map(
    (f, i) => f.cpuMicros / (figures.one[i]?.cpuMicros ?? Number.NaN) - 1,
  );
  const rss = (f: ServeFigures | undefined) =>
    f?.rss.map((m) => `${m.peakMiB.toFixed(0)}`).join(' + ') ?? '-';
  const switches = (rounds: ServeFigures[]) =>
    `${median(rounds.map((f) => f.switchesPerRequest.voluntary)).toFixed(2)} sleeps and ${median(rounds.map((f) => f.switchesPerRequest.involuntary)).toFixed(2)} preemptions of the event loops per request`;
  return [
    `Production \`serve\` alone (built JavaScript, JSON log to a file), ${figures.one.length} alternating rounds, medians: one process ${of(figures.one)}; \`--workers 2\` (primary and workers) ${of(figures.workers)}`,
    `\`serve --workers 2\` CPU per request against one process: ${(median(extra) * 100).toFixed(1)} % (rounds: ${extra.map((x) => `${(x * 100).toFixed(1)}`).join(', ')} %; target within 10 %: ${Math.abs(median(extra)) <= 0.1 ? 'met' : 'not met'}); peak RSS of the primary + workers ${rss(figures.workers.at(-1))} MiB`,
    `Where it goes: one process ${switches(figures.one)}; \`--workers 2\` ${switches(figures.workers)} (docs/benchmarks.md, workers)`,
  ].join('\n');
}
