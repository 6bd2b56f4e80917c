// `pnpm bench`: client-credentials issuance, the example API with a valid token, and a bare Koa
// hello as the ceiling, all in one run on this machine, each server in its own process and the
// load generator (autocannon) in this one.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { resolveDatabase } from '@portcullis/storage';
import autocannon from 'autocannon';

const here = path.dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  failures: number;
}

async function startChild(
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; info: Record<string, string> }> {
  const child = spawn(process.execPath, [path.join(here, script)], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const info = await new Promise<Record<string, string>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as Record<string, string>));
  });
  return { child, info };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function measure(name: string, options: autocannon.Options): Promise<Figures> {
  await autocannon({ ...options, connections, duration: warmup });
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
try {
  const hello = await startChild('hello-server.ts', env);
  try {
    results.push(await measure('bare Koa hello (ceiling)', { url: hello.info.url as string }));
  } finally {
    await stopChild(hello.child);
  }

  const stack = await startChild('stack-server.ts', env);
  try {
    results.push(
      await measure('client credentials: POST /token', {
        url: `${stack.info.issuer}/token`,
        method: 'POST',
        headers: {
          authorization: `Basic ${stack.info.basic}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials&scope=notes%3Aread',
      }),
    );
    results.push(
      await measure('example API: GET /me with a valid token', {
        url: `${stack.info.api}/me`,
        headers: { authorization: `Bearer ${stack.info.accessToken}` },
      }),
    );
  } finally {
    await stopChild(stack.child);
  }
} finally {
  await database.stop();
}

const ceiling = results[0]?.rps ?? 1;
console.log(
  `\nPortcullis benchmark: ${connections} connections, ${seconds}s per run after ${warmup}s warm-up, node ${process.version}\n`,
);
console.log('| scenario | req/s | p50 ms | p99 ms | of ceiling | failed |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  console.log(
    `| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${((r.rps / ceiling) * 100).toFixed(1)} % | ${r.failures} of ${r.requests} |`,
  );
}
if (results.some((r) => r.failures > 0)) {
  console.error('\nsome requests failed: the figures above are not valid');
  process.exitCode = 1;
}
