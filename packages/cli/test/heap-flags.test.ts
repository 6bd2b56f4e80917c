import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { heapFlagsToStartWith, MAX_SEMI_SPACE_MIB } from '../src/heap-flags.ts';
import { startCli } from './child-cli.ts';

const FLAG = `--max-semi-space-size=${MAX_SEMI_SPACE_MIB}`;

test('the server commands get the young-generation bound; other commands do not', (t) => {
  for (const argv of [['serve'], ['serve', '--workers', '2'], ['dev'], ['example-api', '--json']]) {
    t.deepEqual(heapFlagsToStartWith(argv, [], ''), [FLAG], argv.join(' '));
  }
  for (const argv of [
    [],
    ['--help'],
    ['clients', 'list'],
    ['db', 'migrate'],
    ['help', 'serve'],
    ['--server', 'serve', 'clients', 'list'],
  ]) {
    t.deepEqual(heapFlagsToStartWith(argv, [], ''), [], argv.join(' '));
  }
});

test("an operator's own bound wins, from NODE_OPTIONS or node's command line", (t) => {
  for (const [execArgv, nodeOptions] of [
    [[], '--max-semi-space-size=64'],
    [[], '--enable-source-maps  --max_semi_space_size=4'],
    [['--max-semi-space-size=2'], ''],
    [['--import', 'x.js', '--max-semi-space-size', '8'], ''],
  ] as const) {
    t.deepEqual(heapFlagsToStartWith(['serve'], execArgv, nodeOptions), [], nodeOptions);
  }
  t.deepEqual(heapFlagsToStartWith(['serve'], ['--enable-source-maps'], '--trace-warnings'), [
    FLAG,
  ]);
});

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

// One set for both servers: the first stores the signing keys, the second reads them.
const secrets = {
  PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
  PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
};

async function serveCommandLine(env: Record<string, string>) {
  const port = await freePort();
  const server = startCli(['serve', '--json'], {
    ...secrets,
    DATABASE_URL: database.url,
    PORTCULLIS_PORT: String(port),
    PORTCULLIS_HOST: '127.0.0.1',
    PORTCULLIS_JANITOR_INTERVAL: 'off',
    ...env,
  });
  try {
    await server.firstLine();
    // The process that answers is the one started, now running with the flag on Node's own
    // command line, where V8 reads it when it sizes the heap.
    const commandLine = (await readFile(`/proc/${server.pid}/cmdline`, 'utf8')).split('\0');
    const ready = (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
    return { commandLine, ready, code: await server.stop('SIGTERM'), stderr: server.stderr() };
  } finally {
    await server.stop('SIGKILL');
  }
}

test('serve replaces itself with the flag on its command line, same pid, and serves', async (t) => {
  const { commandLine, ready, code, stderr } = await serveCommandLine({});
  t.true(commandLine.includes(FLAG), commandLine.join(' '));
  t.true(commandLine.includes('serve'));
  t.is(ready, 200);
  t.is(code, 0, stderr);
});

test("serve keeps the operator's NODE_OPTIONS bound and does not start again", async (t) => {
  const { commandLine, ready, code, stderr } = await serveCommandLine({
    NODE_OPTIONS: '--max-semi-space-size=32',
  });
  t.false(
    commandLine.some((arg) => arg.startsWith('--max-semi-space-size')),
    commandLine.join(' '),
  );
  t.is(ready, 200);
  t.is(code, 0, stderr);
});
