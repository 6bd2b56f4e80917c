import test from 'ava';
import { ago } from '../src/format/clients.ts';
import {
  type ClientJson,
  cli,
  cliJson,
  createService,
  exampleResourceDatabase,
  failsWithOneLine,
} from './clients-fixtures.ts';

const database = exampleResourceDatabase();

test.serial('an empty list says so', async (t) => {
  const result = await cli(database, ['clients', 'list']);
  t.is(result.code, 0);
  t.is(result.stdout, '(none)\n');
  t.deepEqual(await cliJson(database, ['clients', 'list']), []);
});

test.serial('the table shows name, id, type, grants, last use and status', async (t) => {
  const worker = await createService(database, 'Worker', ['--first-party']);
  const tv = await cliJson<ClientJson>(database, [
    'clients',
    'create',
    '--name',
    'TV app',
    '--grant',
    'device_code',
    'refresh_token',
    '--public',
  ]);
  await database
    .db('clients')
    .where({ id: worker.client_id })
    .update({
      last_used_at: database.db.raw(`now() - interval '5 minutes 10 seconds'`),
    });
  await cli(database, ['clients', 'disable', tv.client_id]);

  const table = await cli(database, ['clients', 'list']);
  t.is(table.code, 0);
  const lines = table.stdout.trimEnd().split('\n');
  t.regex(lines[0] ?? '', /^NAME +CLIENT ID +TYPE +GRANTS +LAST USED +STATUS$/);
  t.regex(lines[1] ?? '', /^-+ +-+/);
  const row = (name: string) => lines.find((l) => l.startsWith(name)) ?? '';
  t.regex(
    row('Worker'),
    new RegExp(
      `${worker.client_id} +confidential, first-party +client_credentials +5 min ago +active`,
    ),
  );
  t.regex(
    row('TV app'),
    new RegExp(`${tv.client_id} +public, third-party +device_code,refresh_token +never +disabled`),
  );
});

test.serial('--json lists every client with its last use', async (t) => {
  const list = await cliJson<ClientJson[]>(database, ['clients', 'list']);
  t.deepEqual(
    list.map((c) => c.name),
    ['Worker', 'TV app'],
  );
  const worker = list[0] as ClientJson;
  t.truthy(worker.last_used_at);
  t.true(Date.now() - Date.parse(worker.last_used_at as string) >= 5 * 60_000);
  t.is(list[1]?.last_used_at, null);
  t.is(list[1]?.disabled, true);
  // Secrets by any name: values, hashes, names; the method `client_secret_basic` is no secret.
  t.false(
    JSON.stringify(list).replaceAll('"client_secret_basic"', '').includes('secret'),
    'no secrets in a list',
  );
});

test('ago is readable at every scale', (t) => {
  const now = new Date('2026-01-10T12:00:00Z');
  const before = (ms: number) => new Date(now.getTime() - ms);
  t.is(ago(null, now), 'never');
  t.is(ago(before(20_000), now), 'just now');
  t.is(ago(before(90_000), now), '1 min ago');
  t.is(ago(before(3 * 3_600_000 + 5), now), '3 h ago');
  t.is(ago(before(12 * 86_400_000), now), '12 d ago');
});

test('an unexpected argument is a usage error', async (t) => {
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'list', 'extra']),
    /too many arguments|unknown/i,
    2,
  );
  const help = await cli(database, ['clients', 'list', '--help']);
  t.regex(help.stdout, /Example:\n +\$ portcullis clients list/);
});
