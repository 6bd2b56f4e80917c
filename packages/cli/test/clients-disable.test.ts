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

test('disable marks the client disabled, keeps its secrets, and is audited once', async (t) => {
  const svc = await createService(database, 'to-disable');
  const disabled = await cliJson<ClientJson>(database, ['clients', 'disable', 'TO-DISABLE']);
  t.is(disabled.client_id, svc.client_id);
  t.true(disabled.disabled);
  const [row] = await database.db('clients').where({ id: svc.client_id });
  t.true(row.disabled_at instanceof Date);

  // Disabling again keeps the first time and records nothing new.
  const again = await cli(database, ['clients', 'disable', svc.client_id]);
  t.is(again.code, 0);
  t.regex(again.stdout, /disabled client "to-disable"/);
  const [same] = await database.db('clients').where({ id: svc.client_id });
  t.deepEqual(same.disabled_at, row.disabled_at);

  t.is((await database.db('client_secrets').where({ client_id: svc.client_id })).length, 1);
  const events = await auditOf(database, svc.client_id);
  t.deepEqual(
    events.filter((e) => e.type === 'client.disabled').map((e) => e.actor.startsWith('cli:')),
    [true],
  );
  const shown = await cli(database, ['clients', 'show', svc.client_id]);
  t.regex(shown.stdout, /^status: +disabled since \S+$/m);
});

test('an unknown client fails with one line; no argument is a usage error', async (t) => {
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'disable', 'nope']),
    /no client with id or name "nope"/,
  );
  failsWithOneLine(t, await cli(database, ['clients', 'disable']), /missing required argument/, 2);
  const help = await cli(database, ['clients', 'disable', '--help']);
  t.regex(help.stdout, /Example:\n +\$ portcullis clients disable/);
});
