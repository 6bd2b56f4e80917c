import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { HEAP_GROWING_PERCENT, MAX_SEMI_SPACE_MIB } from '../src/heap-flags.ts';
import { startCli } from './child-cli.ts';
import { cliWith, failsWithOneLine, showsHelpWithExample } from './helpers.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const secrets = {
  PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
  PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
};

/** `serve --json` on the file's database, on a free port of 127.0.0.1, without the janitor. */
async function startJsonServe(env: Record<string, string> = {}) {
  const port = await freePort();
  const server = startCli(['serve', '--json'], {
    ...secrets,
    DATABASE_URL: database.url,
    PORTCULLIS_PORT: String(port),
    PORTCULLIS_HOST: '127.0.0.1',
    PORTCULLIS_JANITOR_INTERVAL: 'off',
    ...env,
  });
  return { port, server };
}

test('with --json it prints where it listens as one JSON line, and nothing else', async (t) => {
  const { port, server } = await startJsonServe();
  t.teardown(() => server.stop('SIGKILL'));
  const summary = JSON.parse(await server.firstLine()) as Record<string, unknown>;
  t.deepEqual(summary, {
    issuer: `http://localhost:${port}`,
    host: '127.0.0.1',
    port,
    janitor_interval_seconds: 0,
  });
  t.is((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
  t.is(await server.stop('SIGTERM'), 0, server.stderr());
  t.is(server.stdout(), `${JSON.stringify(summary)}\n`);
  t.notRegex(server.stderr(), /portcullis serving/, 'the human line is replaced, not repeated');
});

const refusals: Array<[string, Record<string, string>, RegExp]> = [
  [
    'missing secrets',
    {},
    /^portcullis: PORTCULLIS_COOKIE_KEYS and PORTCULLIS_KEY_ENCRYPTION_KEY must be set: `serve` never uses development secrets\n$/,
  ],
  [
    'a missing key-encryption key',
    { PORTCULLIS_COOKIE_KEYS: secrets.PORTCULLIS_COOKIE_KEYS },
    /^portcullis: PORTCULLIS_KEY_ENCRYPTION_KEY must be set: /,
  ],
  [
    'a bad port',
    { ...secrets, PORTCULLIS_PORT: '3000x' },
    /PORTCULLIS_PORT must be a port number from 0 to 65535, got "3000x"/,
  ],
  [
    'a port out of range',
    { ...secrets, PORTCULLIS_PORT: '65536' },
    /PORTCULLIS_PORT must be a port number from 0 to 65535/,
  ],
  [
    'a short cookie key',
    { ...secrets, PORTCULLIS_COOKIE_KEYS: 'short' },
    /PORTCULLIS_COOKIE_KEYS: every key must be at least 32 characters/,
  ],
  [
    'an http issuer off loopback',
    { ...secrets, PORTCULLIS_ISSUER: 'http://auth.example.com' },
    /PORTCULLIS_ISSUER must use https in production/,
  ],
];
for (const [what, env, why] of refusals) {
  test(`refuses ${what}: one line, exit 1, nothing started`, async (t) => {
    failsWithOneLine(t, await cliWith(database, ['serve'], { env }), why);
  });
}

test('refuses a schema with pending migrations, naming the command to run', async (t) => {
  const fresh = await createTestDatabase({ migrate: false });
  t.teardown(() => fresh.drop());
  const result = await cliWith(fresh, ['serve'], {
    env: { ...secrets, PORTCULLIS_PORT: String(await freePort()) },
  });
  t.is(result.code, 1);
  t.regex(result.stderr, /portcullis db migrate/);
  t.is(result.stdout, '');
});

const busyPorts = ['PORTCULLIS_PORT', 'PORTCULLIS_METRICS_PORT'] as const;
for (const setting of busyPorts) {
  test(`${setting} in use: exits 1 by itself with one line naming the port and ${setting}`, async (t) => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const busy = (blocker.address() as net.AddressInfo).port;
    const server = startCli(['serve'], {
      ...secrets,
      DATABASE_URL: database.url,
      PORTCULLIS_HOST: '127.0.0.1',
      PORTCULLIS_PORT: String(setting === 'PORTCULLIS_PORT' ? busy : await freePort()),
      ...(setting === 'PORTCULLIS_METRICS_PORT' ? { PORTCULLIS_METRICS_PORT: String(busy) } : {}),
    });
    t.teardown(() => server.stop('SIGKILL'));
    // Ending without a signal proves the key refresh and the change listener were stopped too.
    t.is(await server.exited(), 1, server.stderr());
    t.is(
      server.stderr(),
      `portcullis: port ${busy} is already in use (127.0.0.1:${busy}): stop what listens there, or set ${setting} to another port\n`,
    );
    t.is(server.stdout(), '');
  });
}

test('usage errors: an unknown option, an argument; exit 2', async (t) => {
  failsWithOneLine(t, await cliWith(database, ['serve', '--dev']), /unknown option '--dev'/, 2);
  failsWithOneLine(t, await cliWith(database, ['serve', 'now']), /too many arguments/, 2);
});

test('--help has an example, the secrets it needs and its exit codes', async (t) => {
  const help = await showsHelpWithExample(t, database, ['serve']);
  t.regex(help, /Requires PORTCULLIS_COOKIE_KEYS and PORTCULLIS_KEY_ENCRYPTION_KEY/);
  t.regex(help, /exits 1 when it cannot start/);
});

// The heap's bounds (heap-flags.ts), as V8 reads them: on the running server's command line.
async function serveCommandLine(env: Record<string, string>) {
  const { port, server } = await startJsonServe(env);
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

test('serve replaces itself with the flags on its command line, same pid, and serves', async (t) => {
  const { commandLine, ready, code, stderr } = await serveCommandLine({});
  t.true(
    commandLine.includes(`--max-semi-space-size=${MAX_SEMI_SPACE_MIB}`),
    commandLine.join(' '),
  );
  t.true(
    commandLine.includes(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`),
    commandLine.join(' '),
  );
  t.true(commandLine.includes('serve'));
  t.is(ready, 200);
  t.is(code, 0, stderr);
});

test("serve keeps the operator's NODE_OPTIONS bound and adds only the other", async (t) => {
  const { commandLine, ready, code, stderr } = await serveCommandLine({
    NODE_OPTIONS: '--max-semi-space-size=32',
  });
  t.false(
    commandLine.some((arg) => arg.startsWith('--max-semi-space-size')),
    commandLine.join(' '),
  );
  t.true(
    commandLine.includes(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`),
    commandLine.join(' '),
  );
  t.is(ready, 200);
  t.is(code, 0, stderr);
});
