// The example API alone (issue 16, item 6): `GET /me` with a valid access token of a running
// Portcullis, against the bare Koa hello, in alternating pinned rounds, by the server's own CPU
// time per request and by req/s. Runnable alone (`pnpm bench:api`):
//
//   DATABASE_URL=... node packages/e2e/bench/api.ts
//
// The hello is measured twice: at `/` with its own request (the issue's ceiling) and at `/me`
// with exactly the API's request, where it answers a body of the API's size. API_BASELINE=<another
// checkout> also runs that checkout's example API (its packages/e2e/bench/api-server.ts) in the
// same rounds: one build against another, A/B, in the same minutes. API_ROUNDS (9), API_SECONDS
// (3), BENCH_CONNECTIONS (64), BENCH_WARMUP_SECONDS (3). API_CPU_PROF=<dir> runs this build's API
// and the hello under `node --cpu-prof`.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveDatabase } from '@portcullis/storage';
import { cpuSeconds } from './browser-flows.ts';
import { startScript, stopChild } from './children.ts';
import { canPin, median, pin } from './paired-rounds.ts';
import { type LoadRequest, runWrk } from './wrk.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const { env: vars } = process;
const rounds = Number(vars.API_ROUNDS ?? 9);
const seconds = Number(vars.API_SECONDS ?? 3);
const warmup = Number(vars.BENCH_WARMUP_SECONDS ?? 3);
const connections = Number(vars.BENCH_CONNECTIONS ?? 64);

// One server under one request, with its figures round by round.
type Contender = { name: string; pid: number; request: LoadRequest; failures: number } & Record<
  'cpuMicros' | 'rps',
  number[]
>;

const profile = (name: string) =>
  vars.API_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.join(vars.API_CPU_PROF, name)}`] : [];

const dataDir = path.resolve(vars.PORTCULLIS_DATA_DIR ?? '.portcullis');
mkdirSync(dataDir, { recursive: true });
const database = await resolveDatabase({
  databaseUrl: vars.DATABASE_URL,
  dataDir: path.join(dataDir, 'bench'),
});
const env = { ...vars, DATABASE_URL: database.url };
const children: ChildProcess[] = [];
const contenders: Contender[] = [];
try {
  // The authorization server only issues the token and serves its keys: it idles during the
  // rounds, logging as in production to a file.
  const stackLog = openSync(path.join(dataDir, 'bench-api-stack.log'), 'w');
  const stack = await startScript(path.join(here, 'stack-server.ts'), env, { stderr: stackLog });
  children.push(stack.child);
  const authorization = { authorization: `Bearer ${stack.info.accessToken}` };
  const hello = await startScript(path.join(here, 'hello-server.ts'), env, {
    nodeArgs: profile('hello'),
  });
  children.push(hello.child);
  const helloUrl = hello.info.url as string;
  const add = (name: string, child: ChildProcess, request: LoadRequest) => {
    contenders.push({
      name,
      pid: child.pid as number,
      request,
      cpuMicros: [],
      rps: [],
      failures: 0,
    });
  };
  add('bare Koa hello', hello.child, { url: helloUrl });
  add('hello, API request', hello.child, { url: `${helloUrl}me`, headers: authorization });
  const apiEnv = { ...env, BENCH_ISSUER: stack.info.issuer, BENCH_AUDIENCE: stack.info.api };
  const builds: [string, string][] = [['this build', here]];
  if (vars.API_BASELINE) {
    builds.push(['baseline', path.join(path.resolve(vars.API_BASELINE), 'packages/e2e/bench')]);
  }
  for (const [name, dir] of builds) {
    const nodeArgs = name === 'this build' ? profile('api') : [];
    const api = await startScript(path.join(dir, 'api-server.ts'), apiEnv, { nodeArgs });
    children.push(api.child);
    add(`API, ${name}`, api.child, { url: `${api.info.url}/me`, headers: authorization });
  }

  await Promise.all(children.slice(1).map((child) => pin(child.pid, '0')));
  const load = (c: Contender, s: number) =>
    runWrk(c.request, { seconds: s, connections, ...(canPin && { cpu: 1 }) });
  for (const c of contenders) await load(c, warmup);
  for (let round = 0; round < rounds; round++) {
    // The order turns each round, so no contender always follows the same one.
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + round) % contenders.length] as Contender;
      const before = await cpuSeconds(c.pid);
      const figures = await load(c, seconds);
      const cpu = (await cpuSeconds(c.pid)) - before;
      c.cpuMicros.push((cpu / figures.requests) * 1e6);
      c.rps.push(figures.rps);
      c.failures += figures.failures;
    }
  }

  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  // `b` as a share of `a`, round by round: by CPU per request (a's over b's) and by req/s.
  const against = (a: Contender, b: Contender) => {
    const cpu = b.cpuMicros.map((micros, i) => (a.cpuMicros[i] as number) / micros);
    const rps = b.rps.map((value, i) => value / (a.rps[i] as number));
    return `by CPU ${pct(median(cpu))} (${cpu.map(pct).join(' ')}); by req/s ${pct(median(rps))}`;
  };
  console.log(
    `${rounds} rounds of ${seconds} s, c=${connections}, pinned: ${canPin}, load ${loadavg()[0]?.toFixed(1)}`,
  );
  for (const c of contenders) {
    console.log(
      `${c.name.padEnd(20)} ${median(c.cpuMicros).toFixed(1).padStart(6)} µs/req ${String(Math.round(median(c.rps))).padStart(6)} req/s  failures ${c.failures}  (${c.cpuMicros.map((x) => x.toFixed(1)).join(' ')})`,
    );
  }
  const [plain, same, ...apis] = contenders as [Contender, Contender, ...Contender[]];
  for (const api of apis) {
    console.log(`${api.name} vs the bare Koa hello: ${against(plain, api)}`);
    console.log(`${api.name} vs the hello receiving its request: ${against(same, api)}`);
  }
  const [ours, theirs] = apis;
  if (ours && theirs) console.log(`this build vs baseline: ${against(theirs, ours)}`);
  if (contenders.some((c) => c.failures > 0)) {
    console.error('some requests failed: the figures above are not valid');
    process.exitCode = 1;
  }
} finally {
  for (const child of children.reverse()) await stopChild(child);
  await database.stop();
}
