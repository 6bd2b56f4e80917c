import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { failsWithOneLine, showsHelpWithExample } from './helpers.ts';
import { type UsersCli, usersCli } from './users-fixtures.ts';

let database: TestDatabase;
let users: UsersCli;
test.before(async () => {
  database = await createTestDatabase();
  users = usersCli(database);
  await users.createUser('Alice', ['--email', 'alice@example.com', '--name', 'Alice Liddell']);
});
test.after.always(async () => {
  await database?.drop();
});

test.serial('show finds a user by username in any case or by id', async (t) => {
  const byName = await users.runJson<{ id: string }>(['users', 'show', 'ALICE']);
  const byId = await users.runJson(['users', 'show', byName.id]);
  t.deepEqual(byId, byName);
  const human = await users.run(['users', 'show', 'alice']);
  t.regex(human.stdout, /^username: Alice\n/);
  t.regex(human.stdout, /status: +active/);
  t.regex(human.stdout, /email: +alice@example\.com \(unverified\)/);
  t.regex(human.stdout, /name: +Alice Liddell/);
  t.false(human.stdout.includes('argon2'));
  failsWithOneLine(
    t,
    await users.run(['users', 'show', 'nobody']),
    /no user with id or username "nobody"/,
  );
});

test.serial('usage errors: no user, two users, an unknown option; exit 2', async (t) => {
  failsWithOneLine(t, await users.run(['users', 'show']), /missing required argument 'user'/, 2);
  failsWithOneLine(t, await users.run(['users', 'show', 'alice', 'bob']), /too many arguments/, 2);
  failsWithOneLine(
    t,
    await users.run(['users', 'show', 'alice', '--hash']),
    /unknown option '--hash'/,
    2,
  );
});

test.serial('--help has an example', async (t) => {
  await showsHelpWithExample(t, database, ['users', 'show']);
});

test.serial('no output ever contained a password', (t) => {
  users.neverPrinted(t, 5);
});
