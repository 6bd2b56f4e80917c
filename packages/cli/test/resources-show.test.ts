import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { API, cli, cliJson, createExampleResource } from './helpers.ts';

let database: TestDatabase;
let clientId: string;
test.before(async () => {
  database = await createTestDatabase();
  await createExampleResource(database);
  ({ client_id: clientId } = await cliJson<{ client_id: string }>(database, [
    'clients',
    'create',
    '--name',
    'notes-reader',
    '--grant',
    'client_credentials',
    '--resource',
    API,
    '--scope',
    'notes:read',
  ]));
});
test.after.always(async () => {
  await database?.drop();
});

test('show prints the settings, scopes and the clients allowed the resource', async (t) => {
  const json = await cliJson(database, ['resources', 'show', API]);
  t.like(json, {
    identifier: API,
    name: 'Notes',
    access_token_ttl: 600,
    access_token_format: 'jwt',
    introspection_clients: [],
    clients: [{ client_id: clientId, name: 'notes-reader' }],
  });
  t.deepEqual(json.scopes, [
    { name: 'notes:read', description: 'Read your notes' },
    { name: 'notes:write', description: 'Write your notes' },
  ]);
  t.regex(String(json.created_at), /^\d{4}-\d\d-\d\dT/);

  const human = await cli(database, ['resources', 'show', API]);
  t.is(human.code, 0);
  t.regex(human.stdout, /access tokens: jwt, 10m/);
  t.regex(human.stdout, /notes:write: Write your notes/);
  t.regex(human.stdout, new RegExp(`clients allowed it: notes-reader \\(${clientId}\\)`));
});

test('an unknown resource is a one-line error, exit 1', async (t) => {
  const result = await cli(database, ['resources', 'show', 'https://nothing.example']);
  t.is(result.code, 1);
  t.is(result.stderr, 'portcullis: no resource "https://nothing.example"\n');
  t.is(result.stdout, '');
});

test('a missing identifier is a usage error, exit 2', async (t) => {
  const result = await cli(database, ['resources', 'show']);
  t.is(result.code, 2);
  t.regex(result.stderr, /missing required argument/);
});

test('--help has an example', async (t) => {
  const result = await cli(database, ['resources', 'show', '--help']);
  t.is(result.code, 0);
  t.regex(result.stdout, /Example:\n {2}\$ portcullis resources show/);
});
