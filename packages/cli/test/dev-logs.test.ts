import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { startCli } from './child-cli.ts';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/bin.ts');

let dataDir: string;
test.before(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-dev-logs-'));
});
test.after.always(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Each run on a database of its own, with ports of its own; dropped when the test ends. */
async function devEnv(t: { teardown(fn: () => unknown): void }, name: string) {
  const database: TestDatabase = await createTestDatabase({ migrate: false });
  t.teardown(() => database.drop());
  return {
    DATABASE_URL: database.url,
    PORTCULLIS_DATA_DIR: path.join(dataDir, name),
    PORTCULLIS_PORT: String(await freePort()),
    PORTCULLIS_API_PORT: String(await freePort()),
  };
}

/**
 * A token request the server refuses: no client authentication at all. Its access line is
 * written before the answer reaches us, so it is in the output once `dev` has stopped.
 */
async function refusedTokenRequest(port: string): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', code: 'not-logged-1234' }),
  });
  await response.arrayBuffer();
}

const PRETTY_REFUSAL =
  /^\d\d:\d\d:\d\d\.\d{3} \[[0-9a-f]{8}\] POST \/token 400 invalid_request: no client authentication mechanism provided [\d.]+ ms$/m;

// util-linux's `script` gives `dev` a terminal (a pseudo-terminal) as a person's would be. Its
// command runs through /bin/sh: `exec`, so that the Ctrl-C reaches `dev` alone and its exit code
// is `dev`'s, not that of a shell killed by the same Ctrl-C.
const hasScript = spawnSync('script', ['--version']).status === 0;

/**
 * Runs `portcullis dev ...args` on a terminal (stdout and stderr both on it, merged), resolves
 * once it printed its guide; `interrupt` presses Ctrl-C there and resolves with the exit code.
 */
async function devOnTerminal(env: Record<string, string>, args: string[] = []) {
  const child = spawn(
    'script',
    ['-qfec', ['exec', process.execPath, bin, 'dev', ...args].join(' '), '/dev/null'],
    {
      env: { PATH: process.env.PATH, ...env, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'ignore'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  process.once('exit', () => child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (/Press Ctrl-C|^\{"issuer"/m.test(output)) resolve();
    };
    child.stdout.on('data', check);
    void exited.then((code) => reject(new Error(`dev exited with ${code}: ${output}`)));
  });
  return {
    output: () => output.replaceAll('\r\n', '\n'),
    /**
     * Resolves once the output matches: the access line of a request may reach the terminal
     * after its answer reached us, and the terminal echoes a Ctrl-C pressed before it (`^C`) at
     * the start of that line.
     */
    async printed(pattern: RegExp) {
      while (!pattern.test(output.replaceAll('\r\n', '\n'))) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async interrupt() {
      child.stdin.write('\x03');
      return exited;
    },
  };
}

const onTerminal = hasScript ? test : test.skip;

onTerminal(
  'on a terminal, dev logs a readable line per request, with the OAuth error of a refusal',
  async (t) => {
    const env = await devEnv(t, 'terminal');
    const dev = await devOnTerminal(env);
    await refusedTokenRequest(env.PORTCULLIS_PORT);
    await dev.printed(PRETTY_REFUSAL);
    t.is(await dev.interrupt(), 0, dev.output());
    t.regex(dev.output(), PRETTY_REFUSAL);
    t.notRegex(dev.output(), /^\{"level"/m, 'no JSON line');
    t.false(dev.output().includes('not-logged-1234'));
  },
);

onTerminal(
  'on a terminal, PORTCULLIS_LOG_FORMAT=json or --json keeps the JSON lines',
  async (t) => {
    for (const [name, extra, args] of [
      ['terminal-json', { PORTCULLIS_LOG_FORMAT: 'json' }, []],
      ['terminal-flag', {}, ['--json']],
    ] as const) {
      const env = { ...(await devEnv(t, name)), ...extra };
      const dev = await devOnTerminal(env, [...args]);
      await refusedTokenRequest(env.PORTCULLIS_PORT);
      await dev.printed(/^\{"level".*"path":"\/token"/m);
      t.is(await dev.interrupt(), 0, dev.output());
      const access = dev
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{"level"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        // The example API's long polls of the revocation feed are logged too: find the token call.
        .filter((line) => line.message === 'request' && line.path === '/token');
      t.like(access[0], { path: '/token', status: 400, error: 'invalid_request' }, name);
    }
  },
);

test('without a terminal dev logs JSON lines, each refusal with its error; PORTCULLIS_LOG_FORMAT=pretty asks for readable ones', async (t) => {
  const plain = await devEnv(t, 'pipe');
  const pretty = { ...(await devEnv(t, 'pipe-pretty')), PORTCULLIS_LOG_FORMAT: 'pretty' };
  const runs = [startCli(['dev', '--json'], plain), startCli(['dev', '--json'], pretty)];
  for (const run of runs) t.teardown(() => run.stop('SIGKILL'));
  await Promise.all(runs.map((run) => run.firstLine()));
  await refusedTokenRequest(plain.PORTCULLIS_PORT);
  await refusedTokenRequest(pretty.PORTCULLIS_PORT);
  for (const run of runs) t.is(await run.stop('SIGINT'), 0, run.stderr());
  const [json, readable] = runs.map((run) => run.stderr());
  const access = (json ?? '')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    // The example API's long polls of the revocation feed are logged too: find the token call.
    .filter((line) => line.message === 'request' && line.path === '/token');
  t.like(access[0], {
    method: 'POST',
    path: '/token',
    status: 400,
    error: 'invalid_request',
    error_description: 'no client authentication mechanism provided',
  });
  t.regex(readable ?? '', PRETTY_REFUSAL);
  t.notRegex(readable ?? '', /^\{"level"/m);
  t.false(`${json}${readable}`.includes('not-logged-1234'));
});

test('a bad PORTCULLIS_LOG_FORMAT is refused with its name', async (t) => {
  const run = startCli(['dev'], {
    PORTCULLIS_LOG_FORMAT: 'text',
    PORTCULLIS_DATA_DIR: path.join(dataDir, 'bad'),
  });
  t.is(await run.exited(), 1);
  t.is(run.stderr(), 'portcullis: PORTCULLIS_LOG_FORMAT must be json or pretty, got "text"\n');
});
