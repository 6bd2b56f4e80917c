import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { migrationNames } from '@portcullis/storage';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test, { type ExecutionContext } from 'ava';
import { startCli } from './child-cli.ts';
import { cliWith, failsWithOneLine, showsHelpWithExample } from './helpers.ts';

let database: TestDatabase;
let dataDir: string;
test.before(async () => {
  database = await createTestDatabase({ migrate: false });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-dev-'));
});
test.after.always(async () => {
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A data folder that does not exist yet: a refused start must not create it. */
const unusedDataDir = () => path.join(dataDir, `unused-${Math.random().toString(36).slice(2)}`);

interface DevSummary {
  issuer: string;
  api: string;
  port: number;
  api_port: number;
  database: string;
  data_dir: string;
  database_location: string | null;
  migrations_applied: string[];
  seeded_resources: string[];
  replaced_resources: string[];
  introspection_client_id: string;
}

test.serial(
  'with --json it prints one JSON line saying what runs and what it set up, and nothing else',
  async (t) => {
    const [port, apiPort] = [await freePort(), await freePort()];
    const env = {
      DATABASE_URL: database.url,
      PORTCULLIS_DATA_DIR: dataDir,
      PORTCULLIS_PORT: String(port),
      PORTCULLIS_API_PORT: String(apiPort),
    };
    const first = startCli(['dev', '--json'], env);
    t.teardown(() => first.stop('SIGKILL'));
    const summary = JSON.parse(await first.firstLine()) as DevSummary;
    t.deepEqual(summary, {
      issuer: `http://localhost:${port}`,
      api: `http://localhost:${apiPort}`,
      port,
      api_port: apiPort,
      database: 'DATABASE_URL',
      data_dir: dataDir,
      database_location: null,
      migrations_applied: [...migrationNames],
      seeded_resources: [`http://localhost:${apiPort}`],
      replaced_resources: [],
      introspection_client_id: summary.introspection_client_id,
    });
    t.regex(summary.introspection_client_id, /^[\w-]{20,}$/);
    t.is((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
    t.is((await fetch(`http://127.0.0.1:${apiPort}/healthz`)).status, 200);
    t.is(await first.stop('SIGINT'), 0, first.stderr());
    t.is(first.stdout(), `${JSON.stringify(summary)}\n`, 'one line, no guide, no colour');
    t.regex(first.stderr(), /^warning: development secrets from /m);

    // The second start finds everything in place: nothing migrated, nothing seeded.
    const second = startCli(['dev', '--json'], env);
    t.teardown(() => second.stop('SIGKILL'));
    const again = JSON.parse(await second.firstLine()) as DevSummary;
    t.deepEqual(again.migrations_applied, []);
    t.deepEqual(again.seeded_resources, []);
    t.is(await second.stop('SIGTERM'), 0, second.stderr());
  },
);

const badPorts: Array<[string, Record<string, string>, RegExp]> = [
  [
    'a port that is not a number',
    { PORTCULLIS_PORT: 'http' },
    /^portcullis: PORTCULLIS_PORT must be a port number from 0 to 65535, got "http"\n$/,
  ],
  [
    'a port out of range',
    { PORTCULLIS_PORT: '70000' },
    /PORTCULLIS_PORT must be a port number from 0 to 65535, got "70000"/,
  ],
  [
    'a bad API port',
    { PORTCULLIS_API_PORT: '-1' },
    /PORTCULLIS_API_PORT must be a port number from 0 to 65535, got "-1"/,
  ],
  [
    'an issuer that is not a URL',
    { PORTCULLIS_ISSUER: 'localhost:3000' },
    /PORTCULLIS_ISSUER must use https \(or http on loopback\)/,
  ],
  [
    "a cache of introspection answers beyond the resource server's hour",
    { PORTCULLIS_API_INTROSPECTION_CACHE: '2h' },
    /^portcullis: PORTCULLIS_API_INTROSPECTION_CACHE must be a duration from 0s to 1h \(like 60s\), got "2h"\n$/,
  ],
  [
    'a DPoP mode the example API does not know',
    { PORTCULLIS_API_DPOP: 'true' },
    /^portcullis: PORTCULLIS_API_DPOP must be off, allowed or required, got "true"\n$/,
  ],
];
for (const [what, env, why] of badPorts) {
  test(`refuses ${what}: one line, exit 1, nothing started or written`, async (t) => {
    const dir = unusedDataDir();
    failsWithOneLine(
      t,
      await cliWith(database, ['dev'], { env: { ...env, PORTCULLIS_DATA_DIR: dir } }),
      why,
    );
    t.false(existsSync(dir), 'no data folder, no development secrets');
  });
}

test('a new PORTCULLIS_API_PORT: the example API follows, and its clients still get tokens it accepts', async (t) => {
  const own = await createTestDatabase({ migrate: false });
  t.teardown(() => own.drop());
  const env = {
    DATABASE_URL: own.url,
    PORTCULLIS_DATA_DIR: path.join(dataDir, 'new-api-port'),
    PORTCULLIS_PORT: String(await freePort()),
  };
  const [before, after] = [await freePort(), await freePort()];
  const first = startCli(['dev', '--json'], { ...env, PORTCULLIS_API_PORT: String(before) });
  t.teardown(() => first.stop('SIGKILL'));
  await first.firstLine();
  const created = await cliWith(own, [
    'clients',
    'create',
    '--name',
    'demo',
    '--grant',
    'client_credentials',
    '--resource',
    `http://localhost:${before}`,
    '--scope',
    'notes:read',
    '--json',
  ]);
  const { client_id, client_secret } = JSON.parse(created.stdout) as Record<string, string>;
  t.is(await first.stop('SIGINT'), 0, first.stderr());

  const second = startCli(['dev', '--json'], { ...env, PORTCULLIS_API_PORT: String(after) });
  t.teardown(() => second.stop('SIGKILL'));
  const summary = JSON.parse(await second.firstLine()) as DevSummary;
  t.deepEqual(summary.seeded_resources, [`http://localhost:${after}`]);
  t.deepEqual(summary.replaced_resources, [`http://localhost:${before}`]);
  t.regex(
    second.stderr(),
    new RegExp(
      `^PORTCULLIS_API_PORT changed: moved the example API's resource from http://localhost:${before} to http://localhost:${after}, with its scopes; demo now has http://localhost:${after} instead$`,
      'm',
    ),
  );
  const token = (await (
    await fetch(`http://127.0.0.1:${env.PORTCULLIS_PORT}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'notes:read' }),
    })
  ).json()) as { access_token?: string };
  t.truthy(token.access_token, JSON.stringify(token));
  const me = await fetch(`http://127.0.0.1:${after}/me`, {
    headers: { authorization: `Bearer ${token.access_token}` },
  });
  t.is(me.status, 200, await me.text());
  t.is(await second.stop('SIGTERM'), 0, second.stderr());
});

/** Holds `port` on 127.0.0.1 (where `dev` listens) until the test ends. */
async function occupy(t: ExecutionContext, port: number): Promise<void> {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
}

const busyPorts: Array<[string, 'PORTCULLIS_PORT' | 'PORTCULLIS_API_PORT']> = [
  ["the authorization server's port", 'PORTCULLIS_PORT'],
  ["the example API's port", 'PORTCULLIS_API_PORT'],
];
for (const [what, setting] of busyPorts) {
  test(`${what} in use: stops what it started and exits 1, naming the port and ${setting}`, async (t) => {
    const own = await createTestDatabase({ migrate: false });
    t.teardown(() => own.drop());
    const ports = { PORTCULLIS_PORT: await freePort(), PORTCULLIS_API_PORT: await freePort() };
    await occupy(t, ports[setting]);
    const dev = startCli(['dev'], {
      DATABASE_URL: own.url,
      PORTCULLIS_DATA_DIR: path.join(dataDir, `busy-${setting}`),
      PORTCULLIS_PORT: String(ports.PORTCULLIS_PORT),
      PORTCULLIS_API_PORT: String(ports.PORTCULLIS_API_PORT),
    });
    t.teardown(() => dev.stop('SIGKILL'));
    // It ends by itself (no signal), which it cannot while a timer or a connection is left.
    t.is(await dev.exited(), 1, dev.stderr());
    const lines = dev.stderr().trim().split('\n');
    t.is(
      lines.at(-1),
      `portcullis: port ${ports[setting]} is already in use (127.0.0.1:${ports[setting]}): stop what listens there, or set ${setting} to another port`,
    );
    t.deepEqual(
      lines.filter((line) => !line.startsWith('warning: development secrets')),
      [lines.at(-1)],
      'nothing else: no stack trace, no key refresh warnings',
    );
    t.is(dev.stdout(), '');
    // The other port is free: with the API's port in use, the authorization server it had
    // started is gone again.
    const other = setting === 'PORTCULLIS_PORT' ? 'PORTCULLIS_API_PORT' : 'PORTCULLIS_PORT';
    await t.throwsAsync(fetch(`http://127.0.0.1:${ports[other]}/healthz`));
  });
}

test('usage errors: an unknown option, an argument; exit 2', async (t) => {
  const dir = unusedDataDir();
  const env = { PORTCULLIS_DATA_DIR: dir };
  failsWithOneLine(
    t,
    await cliWith(database, ['dev', '--port', '3000'], { env }),
    /unknown option '--port'/,
    2,
  );
  failsWithOneLine(t, await cliWith(database, ['dev', 'now'], { env }), /too many arguments/, 2);
  t.false(existsSync(dir));
});

test('--help has an example and says how it ends', async (t) => {
  const help = await showsHelpWithExample(t, database, ['dev']);
  t.regex(help, /Runs until Ctrl-C \(SIGINT\) or SIGTERM, then stops everything and exits 0/);
  t.regex(help, /Exits 1 when it cannot start/);
});
