import { freePort } from '@portcullis/storage/testing';
import test from 'ava';
import { startCli } from './child-cli.ts';
import { cli, exampleResourceDatabase } from './clients-fixtures.ts';
import { API, cliWith } from './helpers.ts';
import { NO_DATABASE, remoteServe } from './remote-fixtures.ts';
import { confirmAfter, normalised } from './remote-twins.ts';

// Every clients command run twice, locally (the database) and remotely (`--server`, through the
// admin API of a real `serve`, with a token of a real admin client got by client credentials),
// on twin clients made the same way: the outputs must be the same, ids, names and times aside.

const serve = remoteServe();
const database = exampleResourceDatabase(() => serve.start(database));
const remoteCli = serve.cli;

const CREATE = ['--grant', 'client_credentials', '--resource', API, '--scope', 'notes:read'];

/** Makes twin clients: `local-<what>` and `remote-<what>`, created by their own mode. */
async function twins(what: string) {
  const made = [];
  for (const [mode, run] of [
    ['local', (args: string[]) => cli(database, args)],
    ['remote', remoteCli],
  ] as const) {
    const name = `${mode}-${what}`;
    const result = await run(['clients', 'create', '--name', name, ...CREATE, '--json']);
    if (result.code !== 0) throw new Error(`${mode} create failed: ${result.stderr}`);
    made.push({ name, id: (JSON.parse(result.stdout) as { client_id: string }).client_id });
  }
  return made as [{ name: string; id: string }, { name: string; id: string }];
}

// Each case: the command's arguments for a client name, run on both twins (each case its own).
const CASES: Array<[string, (name: string) => string[]]> = [
  ['show', (name) => ['clients', 'show', name]],
  ['show --json', (name) => ['clients', 'show', name, '--json']],
  ['secrets', (name) => ['clients', 'secrets', name]],
  ['update', (name) => ['clients', 'update', name, '--homepage', 'https://a.example.com']],
  ['update --json', (name) => ['clients', 'update', name, '--access-token-ttl', '5m', '--json']],
  ['update, nothing changed', (name) => ['clients', 'update', name, '--scope', 'notes:read']],
  ['update, a bad TTL', (name) => ['clients', 'update', name, '--access-token-ttl', '99d']],
  ['update, an unknown scope', (name) => ['clients', 'update', name, '--scope', 'nope']],
  ['disable', (name) => ['clients', 'disable', name]],
  ['enable --json', (name) => ['clients', 'enable', name, '--json']],
  ['rotate-secret', (name) => ['clients', 'rotate-secret', name, '--keep-old', '0']],
  ['rotate-secret --json', (name) => ['clients', 'rotate-secret', name, '--name', 'b', '--json']],
  ['remove-secret', (name) => ['clients', 'remove-secret', name, 'initial', '--yes']],
  ['remove-secret, no such', (name) => ['clients', 'remove-secret', name, 'nope', '--yes']],
  ['delete', (name) => ['clients', 'delete', name, '--yes']],
  ['delete --json', (name) => ['clients', 'delete', name, '--yes', '--json']],
];
for (const [what, args] of CASES) {
  test(`clients ${what}: the same output locally and through the admin API`, async (t) => {
    const [local, remoteTwin] = await twins(what.replace(/\W+/g, '-'));
    const names = [local.name, remoteTwin.name];
    const ids = [local.id, remoteTwin.id];
    const here = normalised(await cli(database, args(local.name)), names, ids);
    const there = normalised(await remoteCli(args(remoteTwin.name)), names, ids);
    t.deepEqual(there, here);
  });
}

test('clients create and its refusals: the same output in both modes', async (t) => {
  for (const args of [
    ['--name', '%s', ...CREATE],
    ['--name', '%s', ...CREATE, '--json'],
    ['--name', '%s', ...CREATE, '--access-token-ttl', '2d'],
    ['--name', 'remote-cli', ...CREATE],
  ]) {
    const mode = (m: string) => args.map((a) => a.replace('%s', `${m}-create-${args.length}`));
    const names = ['local-create', 'remote-create'];
    const here = await cli(database, ['clients', 'create', ...mode('local')]);
    const there = await remoteCli(['clients', 'create', ...mode('remote')]);
    const ids = [here, there].flatMap((r) => r.stdout.match(/[\w-]{20,}/g) ?? []);
    t.deepEqual(normalised(there, names, ids), normalised(here, names, ids), args.join(' '));
  }
});

// Serial: ava runs it before the others, so that no client changes between the two lists.
test.serial(
  'clients show of no such client, and list: the same output in both modes',
  async (t) => {
    await twins('listed');
    for (const args of [
      ['clients', 'show', 'nobody'],
      ['clients', 'list'],
      ['clients', 'list', '--json'],
      ['clients', 'list', '--registered', 'dynamic'],
    ]) {
      const here = await cli(database, args);
      const there = await remoteCli(args);
      // The same database: the same clients, word for word (times ago aside, which may tick).
      t.deepEqual(normalised(there, [], []), normalised(here, [], []), args.join(' '));
    }
  },
);

test('a command the admin API has no operation for: one line naming it, exit 2', async (t) => {
  const result = await remoteCli(['clients', 'registration-token', 'list']);
  t.is(result.code, 2);
  t.is(result.stdout, '');
  t.is(
    result.stderr,
    'portcullis: clients registration-token list is not available with --server: run it where the database is\n',
  );
});

test('PORTCULLIS_SERVER and PORTCULLIS_ADMIN_TOKEN do as --server and the credentials', async (t) => {
  const token = await fetch(new URL('/token', serve.server), {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${serve.env.PORTCULLIS_ADMIN_CLIENT_ID}:${serve.env.PORTCULLIS_ADMIN_CLIENT_SECRET}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      resource: 'urn:portcullis:admin',
      scope: 'admin:read',
    }),
  });
  const { access_token: accessToken } = (await token.json()) as { access_token: string };
  const env = { PORTCULLIS_SERVER: serve.server.href, PORTCULLIS_ADMIN_TOKEN: accessToken };
  const shown = await cliWith(NO_DATABASE, ['clients', 'show', 'remote-cli'], { env });
  t.is(shown.code, 0, shown.stderr);
  t.regex(shown.stdout, /^name: +remote-cli$/m);
  const refused = await cliWith(NO_DATABASE, ['clients', 'disable', 'remote-cli'], { env });
  t.is(refused.code, 1);
  t.regex(refused.stderr, /^portcullis: the admin API refused the token \(403\): .*\n$/);
});

test('remote refusals of its own: one line each, never a stack', async (t) => {
  const cases: Array<[string[], NodeJS.ProcessEnv, RegExp, number]> = [
    [['clients', 'list'], {}, /needs PORTCULLIS_ADMIN_TOKEN, or PORTCULLIS_ADMIN_CLIENT_ID/, 2],
    [
      ['clients', 'list'],
      { ...serve.env, PORTCULLIS_ADMIN_CLIENT_SECRET: 'wrong' },
      /the token endpoint refused .*: invalid_client/,
      1,
    ],
  ];
  for (const [args, env, message, code] of cases) {
    const result = await remoteCli(args, env);
    t.is(result.code, code, result.stderr);
    t.is(result.stdout, '');
    t.regex(result.stderr, message);
    t.is(result.stderr.split('\n').length, 2, 'one line');
  }
  const plain = await cliWith(database, ['--server', 'http://auth.example.com', 'clients', 'list']);
  t.is(plain.code, 2);
  t.regex(plain.stderr, /^portcullis: --server must use https \(http only on localhost\)/);
});

test('a change made by someone else while the operator confirms: one line, nothing deleted', async (t) => {
  const [, twin] = await twins('raced');
  // Another operator changes the client (locally) after the question, before the answer.
  const { code, stderr } = await confirmAfter(serve, ['clients', 'delete', twin.name], async () => {
    const other = await cli(database, [
      ...['clients', 'update', twin.name, '--homepage', 'https://b.example.com'],
    ]);
    t.is(other.code, 0, other.stderr);
  });
  t.is(code, 1);
  t.regex(
    stderr,
    /\] portcullis: someone else changed it meanwhile: nothing done, run the command again\n$/,
  );
  t.is((await cli(database, ['clients', 'show', twin.name])).code, 0, 'still there');
});

test('a server without the admin API: one line saying how to turn it on', async (t) => {
  const port = await freePort();
  const plain = startCli(['serve', '--json'], {
    ...serve.secrets,
    DATABASE_URL: database.url,
    PORTCULLIS_PORT: String(port),
    PORTCULLIS_HOST: '127.0.0.1',
    PORTCULLIS_JANITOR_INTERVAL: 'off',
  });
  t.teardown(() => plain.stop('SIGKILL'));
  await plain.firstLine();
  const result = await cliWith(
    database,
    ['--server', `http://localhost:${port}`, 'clients', 'list'],
    {
      env: { PORTCULLIS_ADMIN_TOKEN: 'not-checked-first' },
    },
  );
  t.is(result.code, 1);
  t.is(
    result.stderr,
    `portcullis: the server at http://localhost:${port}/ has no admin API: start it with PORTCULLIS_ADMIN_API=on\n`,
  );
});
