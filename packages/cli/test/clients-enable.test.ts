import test from 'ava';
import {
  auditOf,
  type ClientJson,
  cli,
  cliJson,
  createService,
  exampleResourceDatabase,
  failsWithOneLine,
} from './clients-fixtures.ts';

const database = exampleResourceDatabase();

test('enable brings a disabled client back and is audited', async (t) => {
  const svc = await createService(database, 'to-enable');
  await cliJson(database, ['clients', 'disable', svc.client_id]);
  const enabled = await cliJson<ClientJson>(database, ['clients', 'enable', 'to-enable']);
  t.false(enabled.disabled);
  const [row] = await database.db('clients').where({ id: svc.client_id });
  t.is(row.disabled_at, null);
  t.deepEqual(
    (await auditOf(database, svc.client_id)).map((e) => e.type),
    ['client.created', 'client.secret_added', 'client.disabled', 'client.enabled'],
  );
});

test('enabling an active client changes nothing and records nothing', async (t) => {
  const svc = await createService(database, 'already-active');
  const result = await cli(database, ['clients', 'enable', svc.client_id]);
  t.is(result.code, 0);
  t.regex(result.stdout, /enabled client "already-active"/);
  t.false((await auditOf(database, svc.client_id)).some((e) => e.type === 'client.enabled'));
});

test('an unknown client fails with one line; no argument is a usage error', async (t) => {
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'enable', 'nope']),
    /no client with id or name "nope"/,
  );
  failsWithOneLine(t, await cli(database, ['clients', 'enable']), /missing required argument/, 2);
  const help = await cli(database, ['clients', 'enable', '--help']);
  t.regex(help.stdout, /Example:\n +\$ portcullis clients enable/);
});
