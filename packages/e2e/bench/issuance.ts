// Client-credentials issuance alone (issue 16, item 1): Portcullis's authorization server, logging
// its production access line per request, against bare oidc-provider, in alternating pinned
// rounds, by the server's own CPU time per request and by p99 at 64 connections. Runnable alone:
//
//   DATABASE_URL=... node packages/e2e/bench/issuance.ts
//
// ISSUANCE_BASELINE=<another checkout> also runs that checkout's stack (its
// packages/e2e/bench/stack-server.ts) in the same rounds: one build against another, A/B, in the
// same minutes. ISSUANCE_ROUNDS (7), ISSUANCE_SECONDS (3), BENCH_CONNECTIONS (64),
// BENCH_WARMUP_SECONDS (3). ISSUANCE_CPU_PROF=<dir> runs our server under `node --cpu-prof`.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { resolveDatabase } from '@portcullis/storage';
import { cpuSeconds } from './browser-flows.ts';
import { stopChild } from './children.ts';
import { canPin, median, pin } from './paired-rounds.ts';
import { type LoadRequest, runWrk } from './wrk.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.env.ISSUANCE_ROUNDS ?? 7);
const seconds = Number(process.env.ISSUANCE_SECONDS ?? 3);
const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const baseline = process.env.ISSUANCE_BASELINE;
const cpuProf = process.env.ISSUANCE_CPU_PROF;

interface Contender {
  name: string;
  child: ChildProcess;
  request: LoadRequest;
  cpuMicros: number[];
  rps: number[];
  p99: number[];
  failures: number;
}

async function start(
  script: string,
  env: NodeJS.ProcessEnv,
  stderr: number | 'inherit',
  nodeArgs: string[] = [],
) {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env,
    stdio: ['ignore', 'pipe', stderr],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const info = await new Promise<Record<string, string>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as Record<string, string>));
  });
  return { child, info };
}

const tokenRequest = (url: string, basic: string): LoadRequest => ({
  url,
  method: 'POST',
  headers: {
    authorization: `Basic ${basic}`,
    'content-type': 'application/x-www-form-urlencoded',
  },
  body: 'grant_type=client_credentials&scope=notes%3Aread',
});

const dataDir = path.resolve(process.env.PORTCULLIS_DATA_DIR ?? '.portcullis');
const database = await resolveDatabase({
  databaseUrl: process.env.DATABASE_URL,
  dataDir: path.join(dataDir, 'bench'),
});
const env = { ...process.env, DATABASE_URL: database.url };
mkdirSync(dataDir, { recursive: true });

const contenders: Contender[] = [];
const contender = (name: string, child: ChildProcess, request: LoadRequest) => {
  contenders.push({ name, child, request, cpuMicros: [], rps: [], p99: [], failures: 0 });
};
try {
  const bareProfile = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}/bare`] : [];
  const bare = await start(path.join(here, 'bare-oidc-provider.ts'), env, 'inherit', bareProfile);
  contender(
    'bare oidc-provider',
    bare.child,
    tokenRequest(bare.info.url as string, bare.info.basic as string),
  );
  const stacks: [string, string][] = [['this build', here]];
  if (baseline) stacks.push(['baseline', path.join(path.resolve(baseline), 'packages/e2e/bench')]);
  for (const [name, dir] of stacks) {
    const log = openSync(path.join(dataDir, `issuance-${name.replace(' ', '-')}.log`), 'w');
    const profile =
      cpuProf && name === 'this build' ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}/stack`] : [];
    const stack = await start(path.join(dir, 'stack-server.ts'), env, log, profile);
    contender(
      name,
      stack.child,
      tokenRequest(`${stack.info.issuer}/token`, stack.info.basic as string),
    );
  }
  await Promise.all(contenders.map((c) => pin(c.child.pid, '0')));
  const load = (c: Contender, s: number) =>
    runWrk(c.request, { seconds: s, connections, ...(canPin && { cpu: 1 }) });
  for (const c of contenders) await load(c, warmup);
  for (let round = 0; round < rounds; round++) {
    // The order turns each round, so no contender always follows the same one.
    const order = contenders.map(
      (_, i) => contenders[(i + round) % contenders.length] as Contender,
    );
    for (const c of order) {
      const before = await cpuSeconds(c.child.pid as number);
      const figures = await load(c, seconds);
      const cpu = (await cpuSeconds(c.child.pid as number)) - before;
      c.cpuMicros.push((cpu / figures.requests) * 1e6);
      c.rps.push(figures.rps);
      c.p99.push(figures.p99);
      c.failures += figures.failures;
    }
  }
  const [reference] = contenders as [Contender];
  const lines = contenders.map((c) => {
    const cpuRatios = c.cpuMicros.map((micros, i) => (reference.cpuMicros[i] as number) / micros);
    const rpsRatios = c.rps.map((rps, i) => rps / (reference.rps[i] as number));
    return {
      name: c.name,
      cpuMicros: Math.round(median(c.cpuMicros)),
      cpuRatio: median(cpuRatios),
      cpuRange: [Math.min(...cpuRatios), Math.max(...cpuRatios)],
      rps: Math.round(median(c.rps)),
      rpsRatio: median(rpsRatios),
      p99: median(c.p99),
      p99Max: Math.max(...c.p99),
      failures: c.failures,
    };
  });
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  console.log(
    `${rounds} rounds of ${seconds} s, c=${connections}, pinned: ${canPin}, load ${(await import('node:os')).loadavg()[0]?.toFixed(1)}`,
  );
  for (const l of lines) {
    console.log(
      `${l.name.padEnd(20)} ${String(l.cpuMicros).padStart(4)} µs/req  by CPU ${pct(l.cpuRatio)} (${l.cpuRange.map(pct).join('–')})  ${l.rps} req/s (${pct(l.rpsRatio)})  p99 ${l.p99} ms (max ${l.p99Max})  failures ${l.failures}`,
    );
  }
  for (const c of contenders) {
    console.log(`  ${c.name}: ${c.cpuMicros.map((x) => Math.round(x)).join(' ')} µs/req`);
  }
  // This build against the other checkout's, round by round: the A/B figure.
  const [, ours, theirs] = contenders;
  if (ours && theirs) {
    const ab = ours.cpuMicros.map((micros, i) => (theirs.cpuMicros[i] as number) / micros);
    console.log(
      `this build vs baseline by CPU per request: ${pct(median(ab))} (${ab.map(pct).join(' ')})`,
    );
  }
  if (process.env.ISSUANCE_JSON) console.log(JSON.stringify(lines));
} finally {
  for (const c of contenders) await stopChild(c.child);
  await database.stop();
}
