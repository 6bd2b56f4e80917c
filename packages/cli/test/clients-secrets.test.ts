import test from 'ava';
import {
  cli,
  cliJson,
  createService,
  createWebApp,
  exampleResourceDatabase,
  failsWithOneLine,
  type SecretJson,
} from './clients-fixtures.ts';

const database = exampleResourceDatabase();

test('lists every secret by name and dates, newest first, never values or hashes', async (t) => {
  const svc = await createService(database, 'with-secrets');
  const second = await cliJson<{ client_secret: string }>(database, [
    'clients',
    'rotate-secret',
    svc.client_id,
    '--name',
    'deploy-2',
    '--keep-old',
    '0',
  ]);
  await database
    .db('client_secrets')
    .where({ client_id: svc.client_id, name: 'deploy-2' })
    .update({
      last_used_at: new Date('2026-01-02T03:04:05Z'),
    });
  const secrets = await cliJson<SecretJson[]>(database, ['clients', 'secrets', 'with-secrets']);
  t.deepEqual(
    secrets.map((s) => [s.name, s.expired, s.last_used_at]),
    [
      ['deploy-2', false, '2026-01-02T03:04:05.000Z'],
      ['initial', true, null],
    ],
  );
  t.is(secrets[0]?.expires_at, null);
  t.truthy(secrets[1]?.expires_at);
  t.deepEqual(Object.keys(secrets[0] ?? {}).sort(), [
    'created_at',
    'expired',
    'expires_at',
    'id',
    'last_used_at',
    'name',
  ]);

  const table = await cli(database, ['clients', 'secrets', svc.client_id]);
  t.is(table.code, 0);
  t.regex(table.stdout, /^SECRET +CREATED +EXPIRES +LAST USED$/m);
  t.regex(table.stdout, /^deploy-2 +\S+ +never +2026-01-02T03:04:05.000Z$/m);
  t.regex(table.stdout, /^initial +\S+ +\S+ \(expired\) +never$/m);
  const hashes = (await database.db('client_secrets').where({ client_id: svc.client_id })).map(
    (r) => String(r.secret_hash).slice(7),
  );
  for (const output of [table.stdout, JSON.stringify(secrets)]) {
    for (const value of [svc.client_secret as string, second.client_secret, ...hashes]) {
      t.false(output.includes(value));
    }
  }
});

test('a public client has none', async (t) => {
  const spa = await createWebApp(database, 'spa-secrets', ['--public']);
  t.deepEqual(await cliJson(database, ['clients', 'secrets', spa.client_id]), []);
  t.is((await cli(database, ['clients', 'secrets', spa.client_id])).stdout, '(none)\n');
});

test('an unknown client fails with one line; no argument is a usage error', async (t) => {
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'secrets', 'nope']),
    /no client with id or name "nope"/,
  );
  failsWithOneLine(t, await cli(database, ['clients', 'secrets']), /missing required argument/, 2);
  const help = await cli(database, ['clients', 'secrets', '--help']);
  t.regex(help.stdout, /Example:\n +\$ portcullis clients secrets/);
});
