import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { cli, cliJson, failsWithOneLine, showsHelpWithExample } from './helpers.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

test.serial('an empty list says so', async (t) => {
  const table = await cli(database, ['resources', 'list']);
  t.is(table.code, 0, table.stderr);
  t.is(table.stdout, '(none)\n');
  t.deepEqual(await cliJson(database, ['resources', 'list']), []);
});

test.serial('list shows each resource with its format, lifetime and scopes', async (t) => {
  await cliJson(database, [
    'resources',
    'create',
    '--identifier',
    'https://api.example.com',
    '--name',
    'Example',
    '--scope',
    'read=Read things',
    '--scope',
    'write=Change things',
    '--access-token-ttl',
    '300',
  ]);
  await cliJson(database, [
    'resources',
    'create',
    '--identifier',
    'https://opaque.example',
    '--name',
    'Opaque',
    '--format',
    'opaque',
  ]);
  const table = await cli(database, ['resources', 'list']);
  t.is(table.code, 0, table.stderr);
  t.regex(table.stdout, /^IDENTIFIER +NAME +FORMAT +TOKEN TTL +SCOPES\n/);
  t.regex(table.stdout, /\nhttps:\/\/api\.example\.com +Example +jwt +5m +read write\n/);
  t.regex(table.stdout, /\nhttps:\/\/opaque\.example +Opaque +opaque +10m\n/);

  const list = await cliJson<Array<Record<string, unknown>>>(database, ['resources', 'list']);
  t.deepEqual(list, [
    {
      identifier: 'https://api.example.com',
      name: 'Example',
      access_token_ttl: 300,
      access_token_format: 'jwt',
      scopes: [
        { name: 'read', description: 'Read things' },
        { name: 'write', description: 'Change things' },
      ],
    },
    {
      identifier: 'https://opaque.example',
      name: 'Opaque',
      access_token_ttl: 600,
      access_token_format: 'opaque',
      scopes: [],
    },
  ]);
});

test('usage errors: an argument, an unknown option; exit 2', async (t) => {
  failsWithOneLine(
    t,
    await cli(database, ['resources', 'list', 'https://a']),
    /too many arguments/,
    2,
  );
  failsWithOneLine(
    t,
    await cli(database, ['resources', 'list', '--all']),
    /unknown option '--all'/,
    2,
  );
});

test('--help has an example', async (t) => {
  await showsHelpWithExample(t, database, ['resources', 'list']);
});
