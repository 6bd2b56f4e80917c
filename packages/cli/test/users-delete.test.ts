import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { failsWithOneLine, showsHelpWithExample } from './helpers.ts';
import { type UserJson, type UsersCli, usersCli } from './users-fixtures.ts';

let database: TestDatabase;
let users: UsersCli;
test.before(async () => {
  database = await createTestDatabase();
  users = usersCli(database);
});
test.after.always(async () => {
  await database?.drop();
});

test.serial('delete removes the user and everything issued to them', async (t) => {
  const carol = await users.createUser('carol');
  await users.createUser('bob');
  await database.db('oidc_artifacts').insert({
    model: 'Session',
    id: 'carol-sess',
    payload: JSON.stringify({ accountId: carol.id }),
  });
  t.deepEqual(await users.runJson(['users', 'delete', 'CAROL']), {
    deleted: carol.id,
    username: 'carol',
  });
  t.deepEqual(await database.db('oidc_artifacts').where({ id: 'carol-sess' }), []);
  failsWithOneLine(t, await users.run(['users', 'show', carol.id]), /no user/);
  failsWithOneLine(t, await users.run(['users', 'delete', carol.id]), /no user/);
  const human = await users.run(['users', 'delete', 'bob']);
  t.regex(human.stdout, /^deleted user "bob" \([A-Za-z0-9_-]{22}\)\n$/);
  t.deepEqual(await users.userRows(), []);
});

test.serial('usage errors: no user, an unknown option; exit 2, nothing deleted', async (t) => {
  const dora: UserJson = await users.createUser('dora');
  failsWithOneLine(t, await users.run(['users', 'delete']), /missing required argument 'user'/, 2);
  failsWithOneLine(
    t,
    await users.run(['users', 'delete', 'dora', '--force']),
    /unknown option '--force'/,
    2,
  );
  t.deepEqual(
    (await users.userRows()).map((row) => row.id),
    [dora.id],
  );
});

test.serial('--help has an example', async (t) => {
  await showsHelpWithExample(t, database, ['users', 'delete']);
});

test.serial('no output ever contained a password', (t) => {
  users.neverPrinted(t, 8);
});
