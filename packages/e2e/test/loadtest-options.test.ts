// `pnpm loadtest` refuses what it must never do (load another machine, run unbounded) before it
// starts anything, and judges memory by a fitted line; the load itself runs in
// loadtest.slow.test.ts.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { judgeMemory, linearFit, type MemorySample } from '../load/memory.ts';
import { assertLoopback, parseLoadOptions, UsageError } from '../load/options.ts';

const runner = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../load/run.ts');

function loadtest(args: string[]) {
  // No DATABASE_URL: anything that got past the options would fail to start a stack.
  const child = spawn(process.execPath, [runner, ...args], { env: { PATH: process.env.PATH } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('defaults: the issue figures, loaded all at once', (t) => {
  const options = parseLoadOptions([]);
  if (options === 'help') return t.fail();
  t.like(options, {
    tokenRequests: 10_000,
    tokenConcurrency: 50,
    apiRequests: 20_000,
    apiConcurrency: 100,
    refreshes: 2000,
    refreshChains: 10,
    maxSeconds: 300,
    soakSeconds: undefined,
    issuer: undefined,
    json: false,
  });
});

test('a soak: 10m with samples every 10 s and a 2-minute warm-up left out of the verdict', (t) => {
  t.like(parseLoadOptions(['--soak', '10m']), {
    soakSeconds: 600,
    sampleSeconds: 10,
    warmupSeconds: 120,
  });
  t.like(parseLoadOptions(['--soak', '2m']), { soakSeconds: 120, warmupSeconds: 30 });
});

test('loopback targets only: 127.0.0.0/8, ::1 and localhost', (t) => {
  for (const url of [
    'http://127.0.0.1:3000',
    'http://127.1.2.3',
    'http://[::1]:4000',
    'http://localhost',
  ]) {
    t.notThrows(() => assertLoopback(url, '--issuer'), url);
  }
  for (const url of [
    'https://auth.example.com',
    'http://10.0.0.1:3000',
    'http://0.0.0.0:3000',
    'http://127.0.0.1.example.com',
    'http://localhost.example.com',
    'http://[::2]',
    'ftp://127.0.0.1',
    'not a url',
  ]) {
    t.throws(() => assertLoopback(url, '--issuer'), { instanceOf: UsageError }, url);
  }
});

const refused: Array<[string, string[], RegExp]> = [
  [
    'a target off loopback',
    ['--issuer', 'https://auth.example.com', '--api', 'http://127.0.0.1:4000'],
    /^loadtest: --issuer https:\/\/auth\.example\.com is not on loopback: the load test only loads this machine/,
  ],
  [
    'an API off loopback',
    ['--issuer', 'http://127.0.0.1:3000', '--api', 'http://192.168.1.5:4000'],
    /^loadtest: --api http:\/\/192\.168\.1\.5:4000 is not on loopback/,
  ],
  [
    'an issuer without its API',
    ['--issuer', 'http://127.0.0.1:3000'],
    /--issuer and --api go together/,
  ],
  [
    'no requests',
    ['--token-requests', '0'],
    /--token-requests must be a whole number from 1 to 1000000, got "0"/,
  ],
  [
    'too many requests',
    ['--api-requests', '1000001'],
    /--api-requests must be a whole number from 1 to 1000000/,
  ],
  ['a fractional count', ['--refreshes', '1.5'], /--refreshes must be a whole number/],
  [
    'too much concurrency',
    ['--api-concurrency', '5000'],
    /--api-concurrency must be a whole number from 1 to 1000/,
  ],
  ['no time limit', ['--max-seconds', '0'], /--max-seconds must be a whole number from 1 to 3600/],
  ['a soak longer than an hour', ['--soak', '2h'], /--soak must be a duration from 30s to 3600s/],
  ['a soak that is not a duration', ['--soak', 'forever'], /--soak must be a duration/],
  [
    'a warm-up longer than half the soak',
    ['--soak', '1m', '--warmup', '45s'],
    /--warmup must be at most half of --soak/,
  ],
  [
    'sampling without a soak',
    ['--sample-every', '5s'],
    /--sample-every and --warmup are for a soak/,
  ],
  [
    'a soak of a running stack without its pid',
    ['--soak', '10m', '--issuer', 'http://127.0.0.1:3000', '--api', 'http://127.0.0.1:4000'],
    /a soak of a running stack needs --pid/,
  ],
  ['a pid without a running stack', ['--pid', '1234'], /--pid is for a running stack/],
  ['an unknown option', ['--target', 'http://example.com'], /^loadtest: Unknown option '--target'/],
  ['a stray argument', ['10000'], /^loadtest: Unexpected argument '10000'/],
];
for (const [what, args, message] of refused) {
  test(`refuses ${what}: exit 2, one line, nothing started`, async (t) => {
    const result = await loadtest(args);
    t.is(result.code, 2, result.stderr);
    t.regex(result.stderr, message);
    t.is(result.stderr.trim().split('\n').length, 1, result.stderr);
    t.is(result.stdout, '');
  });
}

test('--help: exit 0 with examples, bounds and defaults', async (t) => {
  const result = await loadtest(['--help']);
  t.is(result.code, 0);
  t.regex(result.stdout, /Examples:\n {2}\$ pnpm loadtest\n {2}\$ pnpm loadtest --soak 10m/);
  t.regex(result.stdout, /--token-requests N {5}client-credentials token requests \[10000\]/);
  t.is(result.stderr, '');
});

test('linearFit: the least-squares line', (t) => {
  t.deepEqual(
    linearFit([
      [0, 1],
      [1, 3],
      [2, 5],
    ]),
    { slope: 2, intercept: 1 },
  );
  t.deepEqual(
    linearFit([
      [0, 4],
      [1, 4],
    ]),
    { slope: 0, intercept: 4 },
  );
});

const MiB = 1024 * 1024;
// A soak's samples every 10 s for 10 minutes: live heap around 60 MiB, external memory around
// 12 MiB and RSS around 200 MiB with noise, plus growth in bytes per second.
function soak(growth: { heap?: number; external?: number; rss?: number } = {}): MemorySample[] {
  return Array.from({ length: 61 }, (_, i) => {
    const at = i * 10;
    const noise = ((i * 7919) % 13) - 6;
    return {
      at,
      heapUsed: 60 * MiB + noise * 0.2 * MiB + (growth.heap ?? 0) * at,
      external: 12 * MiB + noise * 0.05 * MiB + (growth.external ?? 0) * at,
      rss: 200 * MiB + noise * 2 * MiB + ((growth.rss ?? 0) + (growth.heap ?? 0)) * at,
    };
  });
}

test('judgeMemory: noise without a trend is flat, judged on the live heap and external memory', (t) => {
  const verdict = judgeMemory(soak(), 120);
  t.true(verdict.flat);
  t.deepEqual(verdict.judgedOn, ['heap', 'external']);
  t.is(verdict.samples, 49);
  t.is(verdict.from, 120);
  t.is(verdict.to, 600);
  t.true(Math.abs(verdict.heap?.growth ?? 1e9) < MiB);
});

test('judgeMemory: a heap leak of 20 KiB/s (9.4 MiB over the 8 judged minutes) is growing', (t) => {
  const verdict = judgeMemory(soak({ heap: 20 * 1024 }), 120);
  t.false(verdict.flat);
  t.false(verdict.heap?.flat);
  t.true(verdict.external?.flat);
  t.true(Math.abs((verdict.heap?.growth ?? 0) - 20 * 1024 * 480) < MiB);
  t.true(Math.abs((verdict.heap?.slopePerMinute ?? 0) - 20 * 1024 * 60) < 0.1 * MiB);
});

test('judgeMemory: a Buffer leak of 10 KiB/s (external memory) is growing', (t) => {
  const verdict = judgeMemory(soak({ external: 10 * 1024 }), 120);
  t.false(verdict.flat);
  t.true(verdict.heap?.flat);
  t.false(verdict.external?.flat);
});

test('judgeMemory: RSS rising while the live heap and external memory stay flat is reported, not judged', (t) => {
  const verdict = judgeMemory(soak({ rss: 200 * 1024 }), 120);
  t.false(verdict.rss.flat);
  t.true(verdict.rss.growth > 90 * MiB);
  t.true(verdict.flat);
});

test('judgeMemory: RSS alone (a running server known by its pid) is judged on RSS', (t) => {
  const flat = judgeMemory(
    soak().map(({ at, rss }) => ({ at, rss })),
    120,
  );
  t.is(flat.heap, undefined);
  t.deepEqual(flat.judgedOn, ['rss']);
  t.true(flat.flat);
  const growing = soak({ rss: 200 * 1024 }).map(({ at, rss }) => ({ at, rss }));
  t.false(judgeMemory(growing, 120).flat);
});

test('judgeMemory: too few samples after the warm-up is an error, not a verdict', (t) => {
  t.throws(() => judgeMemory(soak(), 590), { message: /only 2 memory samples after the warm-up/ });
});
