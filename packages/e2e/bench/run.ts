// `pnpm bench`: client-credentials issuance, the example API with a valid token, and a bare Koa
// hello as the ceiling; the Express adapter beside express-oauth2-jwt-bearer and a bare Express
// hello (express-comparison.ts); all in one run on this machine, each server in its own process,
// loaded by wrk (or autocannon, in this process, when wrk is missing). The example API is also measured
// in alternating rounds with the hello (paired-rounds.ts), which a drifting machine skews far less.
import { mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { resolveDatabase } from '@portcullis/storage';
import autocannon from 'autocannon';
import { cpuSeconds, measureBrowserFlows } from './browser-flows.ts';
import { startChild, stopChild } from './children.ts';
import { measureCliStartUp, type StartUpFigures } from './cli-start-up.ts';
import { compareExpress } from './express-comparison.ts';
import { passwordHashCpuMs } from './hash-cost.ts';
import { type PairedFigures, pairedRounds } from './paired-rounds.ts';
import { type Rss, rssOf } from './rss.ts';
import {
  describeWorkers,
  failuresOf,
  measureProductionServe,
  type ProductionServeFigures,
} from './serve-alone.ts';
import { hasWrk, runWrk } from './wrk.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const flowConcurrency = Number(process.env.BENCH_FLOW_CONCURRENCY ?? 8);
// Alternating rounds of each measured server against its reference (0 turns them off); wrk only.
const pairedRoundCount =
  process.env.BENCH_TOOL !== 'autocannon' && hasWrk
    ? Number(process.env.BENCH_PAIRED_ROUNDS ?? 7)
    : 0;
const pairedSeconds = Number(process.env.BENCH_PAIRED_SECONDS ?? 3);
const cliRuns = Number(process.env.BENCH_CLI_RUNS ?? 11);
// Production `serve` alone, one process against `--workers 2`, and `portcullis example-api`
// (wrk only; `off` skips them).
const serveRounds =
  process.env.BENCH_SERVE !== 'off' && process.env.BENCH_TOOL !== 'autocannon' && hasWrk
    ? Math.max(3, pairedRoundCount)
    : 0;

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  failures: number;
  /** What failed, when wrk measured it (e.g. `timeout 1`). */
  failureKinds?: string;
  /** The server process's CPU time per request, in microseconds (when its pid is known). */
  cpuMicros?: number;
}

// wrk (C, one thread) loads the servers with far less CPU than autocannon (Node), which matters
// on 2 cores where the load generator and the server share the machine: prefer it when present.
const useWrk = process.env.BENCH_TOOL !== 'autocannon' && hasWrk;

// Throughput depends on what else the machine runs; the server's own CPU time per request does
// much less, so it is reported too (read from /proc around the measured run, warm-up excluded).
async function measure(
  name: string,
  options: autocannon.Options,
  serverPid?: number,
): Promise<Figures> {
  let cpuBefore = 0;
  const onMeasuredRun = async () => {
    if (serverPid !== undefined) cpuBefore = await cpuSeconds(serverPid);
  };
  const figures = useWrk
    ? await measureWithWrk(name, options, onMeasuredRun)
    : await measureWithAutocannon(name, options, onMeasuredRun);
  if (serverPid !== undefined && figures.requests > 0) {
    figures.cpuMicros = (((await cpuSeconds(serverPid)) - cpuBefore) / figures.requests) * 1e6;
  }
  return figures;
}

async function measureWithWrk(
  name: string,
  options: autocannon.Options,
  onMeasuredRun: () => Promise<void>,
): Promise<Figures> {
  const request = {
    url: String(options.url),
    ...(options.method !== undefined && { method: options.method }),
    ...(options.headers !== undefined && { headers: options.headers as Record<string, string> }),
    ...(options.body !== undefined && { body: String(options.body) }),
  };
  await runWrk(request, { seconds: warmup, connections });
  await onMeasuredRun();
  return { name, ...(await runWrk(request, { seconds, connections })) };
}

async function measureWithAutocannon(
  name: string,
  options: autocannon.Options,
  onMeasuredRun: () => Promise<void>,
): Promise<Figures> {
  await autocannon({ ...options, connections, duration: warmup });
  await onMeasuredRun();
  const result = await autocannon({ ...options, connections, duration: seconds });
  const failures = result.errors + result.timeouts + result.non2xx;
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures,
  };
}

const database = await resolveDatabase({
  databaseUrl: process.env.DATABASE_URL,
  dataDir: path.resolve(process.env.PORTCULLIS_DATA_DIR ?? '.portcullis', 'bench'),
});
const env = { ...process.env, DATABASE_URL: database.url };
const results: Figures[] = [];
let flowsPerCpu = 0;
let hashCpuMs = 0;
// Memory of the servers after their load (issue 16, item 3), with the issue's targets in MB.
const memory: { name: string; rss: Rss; targetMiB?: number }[] = [];
let hello: Awaited<ReturnType<typeof startChild>> | undefined;
const sameRequestCeilings: number[] = [];
const pairedResults: (PairedFigures & { name: string })[] = [];
const expressSummary: string[] = [];
let cliStartUp: StartUpFigures[] = [];
let production: ProductionServeFigures | undefined;
try {
  // The ceiling runs for the whole benchmark: measured alone first, and again with exactly the
  // API's request (its Authorization header, which the hello ignores, to `/me`, where the hello
  // answers a body of the API's size and shape) right before and after the API runs, so the API's
  // ratio compares like with like on a machine whose speed drifts.
  hello = await startChild('hello-server.ts', env);
  const helloPid = hello.child.pid;
  results.push(
    await measure('bare Koa hello (ceiling)', { url: hello.info.url as string }, helloPid),
  );

  // The reference stays up until Portcullis's issuance has been measured in rounds against it.
  const bare = await startChild('bare-oidc-provider.ts', env);
  const bareRequest = {
    url: bare.info.url as string,
    method: 'POST' as const,
    headers: {
      authorization: `Basic ${bare.info.basic}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=notes%3Aread',
  };
  // The authorization server logs as in production (its access log: a JSON line per request), to
  // a file in the benchmark's data folder, which the next run overwrites.
  const stackLog = path.resolve(process.env.PORTCULLIS_DATA_DIR ?? '.portcullis', 'bench.log');
  mkdirSync(path.dirname(stackLog), { recursive: true });
  const stack = await startChild('stack-server.ts', env, {
    stderr: openSync(stackLog, 'w'),
  }).catch(async (error) => {
    await stopChild(bare.child);
    throw error;
  });
  try {
    try {
      results.push(
        await measure(
          'bare oidc-provider, static client: POST /token (reference)',
          bareRequest,
          bare.child.pid,
        ),
      );
      const issuanceRequest = {
        url: `${stack.info.issuer}/token`,
        method: 'POST' as const,
        headers: {
          authorization: `Basic ${stack.info.basic}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials&scope=notes%3Aread',
      };
      results.push(
        await measure('client credentials: POST /token', issuanceRequest, stack.child.pid),
      );
      if (pairedRoundCount > 0) {
        pairedResults.push({
          name: 'Portcullis client credentials vs bare oidc-provider',
          ...(await pairedRounds(
            { request: bareRequest, pid: bare.child.pid },
            { request: issuanceRequest, pid: stack.child.pid },
            {
              rounds: pairedRoundCount,
              seconds: pairedSeconds,
              warmupSeconds: warmup,
              connections,
            },
          )),
        });
      }
      // Not production `serve`'s memory (this process also runs an uncached example API): that
      // is measured alone below.
      memory.push({
        name: "the benchmark's stack (authorization server and an example API) after issuance",
        rss: await rssOf(stack.child.pid as number),
      });
    } finally {
      await stopChild(bare.child);
    }
    const apiRequest = { headers: { authorization: `Bearer ${stack.info.accessToken}` } };
    const helloSameRequest = async () => {
      const figures = await measure(
        'bare Koa hello, same request and response size as the API (ceiling)',
        {
          url: `${hello?.info.url}me`,
          ...apiRequest,
        },
        helloPid,
      );
      sameRequestCeilings.push(figures.rps);
      results.push(figures);
    };
    await helloSameRequest();
    // The example API in a process of its own (the authorization server's process also runs an
    // example API, for `pnpm loadtest`; its heap and timers are not the API's).
    for (const [cache, name] of [
      ['on', 'example API: GET /me with a valid token (token cache on)'],
      ['feed', 'example API: GET /me with a valid token (token cache on, revocation feed on)'],
      ['off', 'example API: GET /me with a valid token (token cache off)'],
    ] as const) {
      const api = await startChild('api-server.ts', {
        ...env,
        BENCH_ISSUER: stack.info.issuer,
        BENCH_AUDIENCE: stack.info.api,
        BENCH_CACHE: cache === 'off' ? 'off' : 'on',
        // The feed variant follows the authorization server's revocation feed as its own client.
        ...(cache === 'feed' && {
          BENCH_FEED_CLIENT_ID: stack.info.feedClientId,
          BENCH_FEED_CLIENT_SECRET: stack.info.feedClientSecret,
        }),
      });
      try {
        const apiUrl = `${api.info.url}/me`;
        results.push(await measure(name, { url: apiUrl, ...apiRequest }, api.child.pid));
        memory.push({
          name: `after "${name}"`,
          rss: await rssOf(api.child.pid as number),
          targetMiB: 100,
        });
        // Then in rounds with the hello: against its own request, and (with the cache) against
        // the API's.
        if (pairedRoundCount > 0) {
          const references = [
            ['the bare Koa hello', { url: `${hello?.info.url}` }],
            [
              'the bare Koa hello receiving the same request (and answering as many bytes)',
              { url: `${hello?.info.url}me`, ...apiRequest },
            ],
          ] as const;
          for (const [against, helloRequest] of cache === 'on'
            ? references
            : references.slice(0, 1)) {
            pairedResults.push({
              name: `${name.replace('example API: GET /me with a valid token', 'example API')} vs ${against}`,
              ...(await pairedRounds(
                { request: helloRequest, pid: helloPid },
                { request: { url: apiUrl, ...apiRequest }, pid: api.child.pid },
                {
                  rounds: pairedRoundCount,
                  seconds: pairedSeconds,
                  warmupSeconds: warmup,
                  connections,
                },
              )),
            });
          }
        }
      } finally {
        await stopChild(api.child);
      }
    }
    await helloSameRequest();

    const express = await compareExpress({
      env,
      issuer: stack.info.issuer as string,
      audience: stack.info.api as string,
      accessToken: stack.info.accessToken as string,
      measure: (name, url, pid) => measure(name, { url, ...apiRequest }, pid),
      pair: (a, b) =>
        pairedRoundCount > 0
          ? pairedRounds(a, b, {
              rounds: pairedRoundCount,
              seconds: pairedSeconds,
              warmupSeconds: warmup,
              connections,
            })
          : Promise.resolve(undefined),
    });
    results.push(...express.results);
    pairedResults.push(...express.paired);
    expressSummary.push(...express.summary);

    const flows = await measureBrowserFlows({
      serverPid: stack.child.pid as number,
      issuer: stack.info.issuer as string,
      clientId: stack.info.appId as string,
      clientSecret: stack.info.appSecret as string,
      concurrency: flowConcurrency,
      seconds,
      warmupSeconds: warmup,
    });
    flowsPerCpu = flows.perServerCpuSecond;
    results.push({
      name: `authorization-code flows: login + consent + code exchange (${flowConcurrency} browsers; flows/s)`,
      ...flows,
    });
  } finally {
    await stopChild(stack.child);
  }
  // With nothing else running: one password verification's CPU, the deliberate part of a flow.
  hashCpuMs = await passwordHashCpuMs(20);
  // With nothing else running: production `serve` alone, and the example API as an operator runs it.
  if (serveRounds > 0) {
    production = await measureProductionServe(env, {
      rounds: serveRounds,
      seconds,
      warmupSeconds: warmup,
      connections,
      logDir: path.resolve(process.env.PORTCULLIS_DATA_DIR ?? '.portcullis'),
    });
    const last = production.one.at(-1);
    if (last?.rss[0]) {
      memory.push({
        name: `production \`serve\` alone after ${production.one.reduce((n, f) => n + f.requests, 0)} client-credentials requests`,
        rss: last.rss[0],
        targetMiB: 150,
      });
    }
    if (production.api.rss[0]) {
      memory.push({
        name: `\`portcullis example-api\` after ${production.api.requests} GET /me`,
        rss: production.api.rss[0],
        targetMiB: 100,
      });
    }
  }
  // Last, with nothing else running: the CLI's start-up against the migrated database.
  if (cliRuns > 0) cliStartUp = await measureCliStartUp(env, cliRuns);
} finally {
  if (hello) await stopChild(hello.child);
  await database.stop();
}

const ceiling = results[0]?.rps ?? 1;
console.log(`
Portcullis benchmark: ${useWrk ? 'wrk, 1 thread' : 'autocannon'}, ${connections} connections, ${seconds}s per run after ${warmup}s warm-up, node ${process.version}\n`);
console.log('| scenario | req/s | p50 ms | p99 ms | of ceiling | server CPU µs/req | failed |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  const cpu = r.cpuMicros === undefined ? '-' : r.cpuMicros.toFixed(0);
  console.log(
    `| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${((r.rps / ceiling) * 100).toFixed(1)} % | ${cpu} | ${r.failures} of ${r.requests}${r.failureKinds ? ` (${r.failureKinds})` : ''} |`,
  );
}
const sameRequest =
  sameRequestCeilings.reduce((sum, rps) => sum + rps, 0) / (sameRequestCeilings.length || 1);
const sameRequestCpu = results
  .filter((r) => r.name.startsWith('bare Koa hello, same request'))
  .map((r) => r.cpuMicros ?? Number.NaN);
const meanSameRequestCpu = sameRequestCpu.reduce((sum, c) => sum + c, 0) / sameRequestCpu.length;
for (const r of results.filter((r) => r.name.startsWith('example API'))) {
  console.log(
    `\n${r.name}, one after the other${pairedResults.length > 0 ? ' (a drifting machine skews these; the alternating rounds below decide)' : ''}: ${((r.rps / ceiling) * 100).toFixed(1)} % of the bare Koa hello, ${((r.rps / sameRequest) * 100).toFixed(1)} % of the bare Koa hello receiving the same request (mean of ${sameRequestCeilings.map((rps) => Math.round(rps)).join(' and ')} req/s); by server CPU per request, ${((meanSameRequestCpu / (r.cpuMicros ?? Number.NaN)) * 100).toFixed(1)} % of that hello's throughput (${meanSameRequestCpu.toFixed(0)} vs ${(r.cpuMicros ?? Number.NaN).toFixed(0)} µs per request)`,
  );
}
if (expressSummary.length > 0) console.log(`\n${expressSummary.join('\n')}`);
if (pairedResults.length > 0) {
  console.log(
    `\nIn alternating rounds (reference alone, then the measured server alone, both on CPU 0 and wrk on CPU 1, ${pairedRoundCount} times ${pairedSeconds}s each after a warm-up; median of the rounds' ratios):`,
  );
  for (const r of pairedResults) {
    const rounds = r.ratios.map((ratio) => `${(ratio * 100).toFixed(1)}`).join(', ');
    const rps = r.bRps.map((value, i) => `${Math.round(value)}/${Math.round(r.aRps[i] ?? 0)}`);
    const cpu = r.cpuRatios.map((ratio) => `${(ratio * 100).toFixed(1)}`).join(', ');
    console.log(
      `${r.name}: by server CPU per request ${(r.cpuMedian * 100).toFixed(1)} % (rounds: ${cpu} %); by req/s ${(r.median * 100).toFixed(1)} % (rounds: ${rounds} %; measured/reference: ${rps.join(', ')}); failed: ${r.failures}${r.failures > 0 ? ` (${r.failureKinds.join('; ')}; a is the reference)` : ''}`,
    );
  }
}
const reference = results.find((r) => r.name.startsWith('bare oidc-provider'));
const issuance = results.find((r) => r.name.startsWith('client credentials'));
if (reference && issuance) {
  console.log(
    `\nPortcullis client-credentials issuance, one after the other: ${((issuance.rps / reference.rps) * 100).toFixed(1)} % of bare oidc-provider with a static client`,
  );
  // Issue 16, item 1: by CPU per request in the alternating rounds, and p99 at BENCH_CONNECTIONS,
  // with the production access log on (`pnpm bench:issuance` measures this pair alone).
  const paired = pairedResults.find((r) => r.name.startsWith('Portcullis client credentials'));
  if (paired) {
    const met = (ok: boolean) => (ok ? 'met' : 'not met');
    console.log(
      `Issuance against the targets: ${(paired.cpuMedian * 100).toFixed(1)} % of bare oidc-provider by server CPU per request (target ≥ 90 %: ${met(paired.cpuMedian >= 0.9)}); p99 ${issuance.p99} ms at ${connections} connections (target ≤ 25 ms: ${met(issuance.p99 <= 25)})`,
    );
  }
}
if (flowsPerCpu > 0) {
  console.log(
    `Authorization-code flows per second of authorization-server CPU: ${flowsPerCpu.toFixed(1)} (Keycloak sizes 15 password logins per vCPU-second)`,
  );
  const flowCpuMs = 1000 / flowsPerCpu;
  console.log(
    `Authorization-server CPU per flow: ${flowCpuMs.toFixed(1)} ms, of which the password hash ${hashCpuMs.toFixed(1)} ms (one argon2id verification, measured alone) and the rest ${(flowCpuMs - hashCpuMs).toFixed(1)} ms (target ≤ 10 ms); SQL statements per flow: packages/e2e/test/sign-in-statements.test.ts asserts them`,
  );
}
for (const m of memory) {
  const target =
    m.targetMiB === undefined
      ? ''
      : ` (target ≤ ${m.targetMiB} MB: ${m.rss.peakMiB * 1.048576 <= m.targetMiB ? 'met' : 'not met'})`;
  console.log(
    `Memory, ${m.name}: RSS ${m.rss.nowMiB.toFixed(0)} MiB (${m.rss.anonMiB.toFixed(0)} MiB its own, ${m.rss.fileMiB.toFixed(0)} MiB mapped files), peak ${m.rss.peakMiB.toFixed(0)} MiB${target}`,
  );
}
if (production) console.log(describeWorkers(production));
for (const f of cliStartUp) {
  console.log(
    `CLI start-up, \`portcullis ${f.command}\`: median ${f.medianMs.toFixed(0)} ms, fastest ${f.minMs.toFixed(0)} ms of ${f.runs} runs (target ≤ ${f.targetMs} ms: ${f.medianMs <= f.targetMs ? 'met' : 'not met'})`,
  );
}
if (
  results.some((r) => r.failures > 0) ||
  pairedResults.some((r) => r.failures > 0) ||
  (production && failuresOf(production) > 0)
) {
  console.error('\nsome requests failed: the figures above are not valid');
  process.exitCode = 1;
}
