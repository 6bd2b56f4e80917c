import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { failsWithOneLine, showsHelpWithExample } from './helpers.ts';
import { PASSWORD, type UserJson, type UsersCli, usersCli } from './users-fixtures.ts';

let database: TestDatabase;
let users: UsersCli;
test.before(async () => {
  database = await createTestDatabase();
  users = usersCli(database);
  await users.createUser('Alice');
  await users.runJson(['users', 'disable', 'alice']);
});
test.after.always(async () => {
  await database?.drop();
});

test.serial('enable lets a disabled user sign in again', async (t) => {
  t.is(await users.authenticate('alice', PASSWORD), undefined, 'disabled at first');
  const enabled = await users.runJson<UserJson>(['users', 'enable', 'ALICE']);
  t.false(enabled.disabled);
  t.truthy(await users.authenticate('alice', PASSWORD));
  t.regex((await users.run(['users', 'list'])).stdout, /\nAlice .* active /);
  t.regex((await users.run(['users', 'enable', 'alice'])).stdout, /^enabled user "Alice"/);
});

test.serial('an unknown user: one line, exit 1', async (t) => {
  failsWithOneLine(t, await users.run(['users', 'enable', 'nobody']), /no user/);
});

test.serial('usage errors: no user, an unknown option; exit 2', async (t) => {
  failsWithOneLine(t, await users.run(['users', 'enable']), /missing required argument 'user'/, 2);
  failsWithOneLine(
    t,
    await users.run(['users', 'enable', 'alice', '--now']),
    /unknown option '--now'/,
    2,
  );
});

test.serial('--help has an example', async (t) => {
  await showsHelpWithExample(t, database, ['users', 'enable']);
});

test.serial('no output ever contained a password', (t) => {
  users.neverPrinted(t, 7);
});
