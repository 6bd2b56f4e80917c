import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { API, cli, cliJson, createExampleResource } from './helpers.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
  await createExampleResource(database);
});
test.after.always(async () => {
  await database?.drop();
});

test('list, show by id or name, delete', async (t) => {
  const created = await cliJson<{ client_id: string }>(database, [
    'clients',
    'create',
    '--name',
    'Worker',
    '--grant',
    'client_credentials',
    '--resource',
    API,
  ]);
  const list = await cliJson<Array<{ client_id: string; name: string }>>(database, [
    'clients',
    'list',
  ]);
  t.true(list.some((c) => c.client_id === created.client_id && c.name === 'Worker'));
  const table = await cli(database, ['clients', 'list']);
  t.regex(table.stdout, /^NAME +CLIENT ID +TYPE +GRANTS +STATUS/);
  t.regex(table.stdout, /Worker/);

  const byName = await cliJson<{ client_id: string }>(database, ['clients', 'show', 'worker']);
  t.is(byName.client_id, created.client_id);
  const human = await cli(database, ['clients', 'show', created.client_id]);
  t.regex(human.stdout, /grants: +client_credentials/);

  const deleted = await cliJson<{ deleted: string }>(database, [
    'clients',
    'delete',
    created.client_id,
  ]);
  t.is(deleted.deleted, created.client_id);
  const gone = await cli(database, ['clients', 'show', created.client_id]);
  t.is(gone.code, 1);
  t.regex(gone.stderr, /no client with id or name/);
  const again = await cli(database, ['clients', 'delete', created.client_id]);
  t.is(again.code, 1);
});
