// Compares variants of production `serve` in alternating rounds (each alone under wrk for a few
// seconds, in turn), all running at once on one fresh database: CPU per request, p99, req/s and
// memory. Variants from BENCH_SERVE_VARIANTS, a JSON list of {"name", "bin"?, "workers"?,
// "env"?, "nodeArgs"?, "built"?, "api"?, "pinned"?}: `built` runs this checkout compiled (`pnpm build` first), `api` runs
// `portcullis example-api` (GET /me) for the first variant's server instead of a server.
// Rounds: BENCH_PAIRED_ROUNDS [5] of BENCH_PAIRED_SECONDS [5].
//
//   BENCH_SERVE_VARIANTS='[{"name":"main","bin":"../main/packages/cli/src/bin.ts"},{"name":"this"}]' \
//     DATABASE_URL=postgres://... node packages/e2e/bench/serve-ab.ts
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase } from '@portcullis/storage/testing';
import { median } from './paired-rounds.ts';
import {
  BUILT,
  loadServe,
  type ServeFigures,
  type ServerUnderTest,
  type ServeUnderTest,
  startExampleApiAlone,
  startServeAlone,
} from './serve-alone.ts';

interface Variant {
  name: string;
  bin?: string;
  workers?: number;
  env?: Record<string, string>;
  /** Node options before the CLI (V8 flags that NODE_OPTIONS refuses, such as `--heap-growing-percent`). */
  nodeArgs?: string[];
  built?: boolean;
  api?: boolean;
  /** Pins every process of the variant to CPU 0 (taskset) and wrk to CPU 1 while it is loaded. */
  pinned?: boolean;
}

const variants = JSON.parse(process.env.BENCH_SERVE_VARIANTS ?? '[{"name":"this"}]') as Variant[];
const rounds = Number(process.env.BENCH_PAIRED_ROUNDS ?? 5);
const seconds = Number(process.env.BENCH_PAIRED_SECONDS ?? 5);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const logDir = path.resolve(process.env.PORTCULLIS_DATA_DIR ?? '.portcullis', 'serve-ab');
mkdirSync(logDir, { recursive: true });

const database = await createTestDatabase();
const running: { variant: Variant; serve: ServerUnderTest; rounds: ServeFigures[] }[] = [];
let firstServe: ServeUnderTest | undefined;
try {
  for (const [i, variant] of variants.entries()) {
    const logFile = path.join(logDir, `${i}.log`);
    const bin = variant.built ? BUILT.bin : variant.bin && path.resolve(variant.bin);
    const nodeArgs =
      variant.built || variant.nodeArgs
        ? [...(variant.built ? BUILT.nodeArgs : []), ...(variant.nodeArgs ?? [])]
        : undefined;
    if (variant.api) {
      if (!firstServe) throw new Error('an api variant needs a server variant before it');
      const api = await startExampleApiAlone(firstServe, {
        bin: bin || BUILT.bin,
        logFile,
        ...(nodeArgs && { nodeArgs }),
        ...(variant.env && { env: variant.env }),
      });
      running.push({ variant, serve: api, rounds: [] });
      continue;
    }
    const serve = await startServeAlone({
      databaseUrl: database.url,
      logFile,
      ...(bin && { bin }),
      ...(nodeArgs && { nodeArgs }),
      ...(variant.workers && { workers: variant.workers }),
      ...(variant.env && { env: variant.env }),
    });
    firstServe ??= serve;
    running.push({ variant, serve, rounds: [] });
  }
  for (const r of running.filter((r) => r.variant.pinned)) {
    for (const pid of await r.serve.pids()) {
      await promisify(execFile)('taskset', ['-a', '-p', '-c', '0', String(pid)]);
    }
  }
  const load = (r: (typeof running)[number], seconds: number) =>
    loadServe(r.serve, {
      seconds,
      warmupSeconds: 0,
      connections,
      ...(r.variant.pinned && { cpu: 1 }),
    });
  for (const r of running) await load(r, warmupSeconds);
  for (let round = 0; round < rounds; round++) {
    for (const r of running) {
      const figures = await load(r, seconds);
      r.rounds.push(figures);
      console.error(
        `round ${round + 1} ${r.variant.name}: ${Math.round(figures.rps)} req/s, ${figures.cpuMicros.toFixed(0)} µs CPU/req, p99 ${figures.p99} ms, loop sleeps ${figures.switchesPerRequest.voluntary.toFixed(2)}/req, preempted ${figures.switchesPerRequest.involuntary.toFixed(2)}/req, failed ${figures.failures}, RSS ${figures.rss.map((m) => `${m.nowMiB.toFixed(0)}/${m.peakMiB.toFixed(0)}`).join(' ')} MiB`,
      );
    }
  }
} finally {
  for (const r of running) await r.serve.stop();
  await database.drop();
}
const first = running[0];
for (const r of running) {
  const cpu = median(r.rounds.map((f) => f.cpuMicros));
  const ratios = r.rounds.map((f, i) => (first?.rounds[i]?.cpuMicros ?? Number.NaN) / f.cpuMicros);
  const last = r.rounds.at(-1);
  console.log(
    `${r.variant.name}: CPU/req median ${cpu.toFixed(0)} µs (vs ${first?.variant.name}: ${(median(ratios) * 100).toFixed(1)} % by CPU; rounds ${ratios.map((x) => (x * 100).toFixed(0)).join(' ')}), req/s median ${Math.round(median(r.rounds.map((f) => f.rps)))}, p99 median ${median(r.rounds.map((f) => f.p99))} ms, RSS now/peak ${last?.rss.map((m) => `${m.nowMiB.toFixed(0)}/${m.peakMiB.toFixed(0)}`).join(' + ')} MiB, failed ${r.rounds.reduce((s, f) => s + f.failures, 0)}`,
  );
}
