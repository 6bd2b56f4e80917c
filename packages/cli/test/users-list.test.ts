import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { failsWithOneLine, showsHelpWithExample } from './helpers.ts';
import { type UsersCli, usersCli } from './users-fixtures.ts';

let database: TestDatabase;
let users: UsersCli;
test.before(async () => {
  database = await createTestDatabase();
  users = usersCli(database);
});
test.after.always(async () => {
  await database?.drop();
});

test.serial('an empty list says so', async (t) => {
  const table = await users.run(['users', 'list']);
  t.is(table.code, 0, table.stderr);
  t.is(table.stdout, '(none)\n');
  t.deepEqual(await users.runJson(['users', 'list']), []);
});

test.serial('list prints a table and JSON', async (t) => {
  await users.createUser('Alice', ['--email', 'alice@example.com']);
  await users.createUser('bob');
  await users.createUser('carol');
  const table = await users.run(['users', 'list']);
  t.is(table.code, 0, table.stderr);
  t.regex(table.stdout, /^USERNAME +ID +EMAIL +STATUS +CREATED\n/);
  t.regex(table.stdout, /\nAlice +[A-Za-z0-9_-]{22} +alice@example\.com +active +\d{4}-/);
  t.regex(table.stdout, /\nbob +[A-Za-z0-9_-]{22} +- +active/);
  const list = await users.runJson<Array<{ username: string }>>(['users', 'list']);
  t.deepEqual(
    list.map((u) => u.username),
    ['Alice', 'bob', 'carol'],
  );
  t.false(JSON.stringify(list).includes('argon2'), 'never the hash');
});

test.serial('a disabled user shows as disabled, in the table and in JSON', async (t) => {
  await users.runJson(['users', 'disable', 'bob']);
  t.regex((await users.run(['users', 'list'])).stdout, /\nbob .* disabled +\d{4}-/);
  const list = await users.runJson<Array<{ username: string; disabled: boolean }>>([
    'users',
    'list',
  ]);
  t.deepEqual(
    list.map((u) => [u.username, u.disabled]),
    [
      ['Alice', false],
      ['bob', true],
      ['carol', false],
    ],
  );
});

test.serial('usage errors: an argument, an unknown option; exit 2', async (t) => {
  failsWithOneLine(t, await users.run(['users', 'list', 'alice']), /too many arguments/, 2);
  failsWithOneLine(t, await users.run(['users', 'list', '--all']), /unknown option '--all'/, 2);
});

test.serial('--help has an example', async (t) => {
  await showsHelpWithExample(t, database, ['users', 'list']);
});

test.serial('no output ever contained a password', (t) => {
  users.neverPrinted(t, 8);
});
