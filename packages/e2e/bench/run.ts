// `pnpm bench`: client-credentials issuance, the example API with a valid token, and a bare Koa
// hello as the ceiling, all in one run on this machine, each server in its own process and the
// load generator (autocannon) in this one.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolveDatabase } from '@portcullis/storage';
import autocannon from 'autocannon';
import { cpuSeconds, measureBrowserFlows } from './browser-flows.ts';
import { startChild, stopChild } from './children.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const flowConcurrency = Number(process.env.BENCH_FLOW_CONCURRENCY ?? 8);

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  failures: number;
  /** The server process's CPU time per request, in microseconds (when its pid is known). */
  cpuMicros?: number;
}

// wrk (C, one thread) loads the servers with far less CPU than autocannon (Node), which matters
// on 2 cores where the load generator and the server share the machine: prefer it when present.
const useWrk =
  process.env.BENCH_TOOL !== 'autocannon' && spawnSync('wrk', ['--version']).error === undefined;

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
  const dir = await mkdtemp(path.join(tmpdir(), 'portcullis-bench-'));
  try {
    const script = path.join(dir, 'request.lua');
    const headers = Object.entries(options.headers ?? {})
      .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
      .join('\n');
    await writeFile(
      script,
      `wrk.method = ${JSON.stringify(options.method ?? 'GET')}\n${headers}\n${
        options.body ? `wrk.body = ${JSON.stringify(String(options.body))}\n` : ''
      }`,
    );
    const run = (duration: number) =>
      promisify(execFile)('wrk', [
        '-t1',
        `-c${connections}`,
        `-d${duration}s`,
        '--latency',
        '-s',
        script,
        String(options.url),
      ]);
    await run(warmup);
    await onMeasuredRun();
    const { stdout } = await run(seconds);
    const number = (pattern: RegExp) => Number(pattern.exec(stdout)?.[1] ?? Number.NaN);
    const latency = (pct: string) => {
      const match = new RegExp(`^\\s*${pct}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(stdout);
      const value = Number(match?.[1]);
      return match?.[2] === 'us' ? value / 1000 : match?.[2] === 's' ? value * 1000 : value;
    };
    const requests = number(/(\d+) requests in/);
    const socketErrors =
      /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
    const failures =
      (Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0) || 0) +
      (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0);
    return {
      name,
      rps: number(/Requests\/sec:\s+([\d.]+)/),
      p50: latency('50'),
      p99: latency('99'),
      requests,
      failures,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
let hello: Awaited<ReturnType<typeof startChild>> | undefined;
const sameRequestCeilings: number[] = [];
try {
  // The ceiling runs for the whole benchmark: measured alone first, and again with exactly the
  // API's request (its Authorization header; the hello ignores it) right before and after the
  // API runs, so the API's ratio compares like with like on a machine whose speed drifts.
  hello = await startChild('hello-server.ts', env);
  const helloPid = hello.child.pid;
  results.push(
    await measure('bare Koa hello (ceiling)', { url: hello.info.url as string }, helloPid),
  );

  const bare = await startChild('bare-oidc-provider.ts', env);
  try {
    results.push(
      await measure(
        'bare oidc-provider, static client: POST /token (reference)',
        {
          url: bare.info.url as string,
          method: 'POST',
          headers: {
            authorization: `Basic ${bare.info.basic}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'grant_type=client_credentials&scope=notes%3Aread',
        },
        bare.child.pid,
      ),
    );
  } finally {
    await stopChild(bare.child);
  }

  const stack = await startChild('stack-server.ts', env);
  try {
    results.push(
      await measure(
        'client credentials: POST /token',
        {
          url: `${stack.info.issuer}/token`,
          method: 'POST',
          headers: {
            authorization: `Basic ${stack.info.basic}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'grant_type=client_credentials&scope=notes%3Aread',
        },
        stack.child.pid,
      ),
    );
    const apiRequest = { headers: { authorization: `Bearer ${stack.info.accessToken}` } };
    const helloSameRequest = async () => {
      const figures = await measure(
        'bare Koa hello, same request as the API (ceiling)',
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
      ['off', 'example API: GET /me with a valid token (token cache off)'],
    ] as const) {
      const api = await startChild('api-server.ts', {
        ...env,
        BENCH_ISSUER: stack.info.issuer,
        BENCH_AUDIENCE: stack.info.api,
        BENCH_CACHE: cache,
      });
      try {
        results.push(
          await measure(name, { url: `${api.info.url}/me`, ...apiRequest }, api.child.pid),
        );
      } finally {
        await stopChild(api.child);
      }
    }
    await helloSameRequest();

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
    `| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${((r.rps / ceiling) * 100).toFixed(1)} % | ${cpu} | ${r.failures} of ${r.requests} |`,
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
    `\n${r.name}: ${((r.rps / ceiling) * 100).toFixed(1)} % of the bare Koa hello, ${((r.rps / sameRequest) * 100).toFixed(1)} % of the bare Koa hello receiving the same request (mean of ${sameRequestCeilings.map((rps) => Math.round(rps)).join(' and ')} req/s); by server CPU per request, ${((meanSameRequestCpu / (r.cpuMicros ?? Number.NaN)) * 100).toFixed(1)} % of that hello's throughput (${meanSameRequestCpu.toFixed(0)} vs ${(r.cpuMicros ?? Number.NaN).toFixed(0)} µs per request)`,
  );
}
const reference = results.find((r) => r.name.startsWith('bare oidc-provider'));
const issuance = results.find((r) => r.name.startsWith('client credentials'));
if (reference && issuance) {
  console.log(
    `\nPortcullis client-credentials issuance: ${((issuance.rps / reference.rps) * 100).toFixed(1)} % of bare oidc-provider with a static client`,
  );
}
if (flowsPerCpu > 0) {
  console.log(
    `Authorization-code flows per second of authorization-server CPU: ${flowsPerCpu.toFixed(1)} (Keycloak sizes 15 password logins per vCPU-second)`,
  );
}
if (results.some((r) => r.failures > 0)) {
  console.error('\nsome requests failed: the figures above are not valid');
  process.exitCode = 1;
}
