import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { failsWithOneLine, showsHelpWithExample } from './helpers.ts';
import { PASSWORD, type UserJson, type UsersCli, usersCli } from './users-fixtures.ts';

let database: TestDatabase;
let users: UsersCli;
let alice: UserJson;
test.before(async () => {
  database = await createTestDatabase();
  users = usersCli(database);
  alice = await users.createUser('Alice');
});
test.after.always(async () => {
  await database?.drop();
});

test.serial('disable blocks sign-in and revokes what was issued to the user', async (t) => {
  await database.db('oidc_artifacts').insert([
    { model: 'Session', id: 'sess', payload: JSON.stringify({ accountId: alice.id }) },
    { model: 'Grant', id: 'grant', payload: JSON.stringify({ accountId: alice.id }) },
  ]);
  const disabled = await users.runJson<UserJson>(['users', 'disable', 'alice']);
  t.true(disabled.disabled);
  t.is(await users.authenticate('alice', PASSWORD), undefined);
  t.deepEqual(await database.db('oidc_artifacts').pluck('id'), []);
  t.regex((await users.run(['users', 'list'])).stdout, /\nAlice .* disabled /);
  const human = await users.run(['users', 'disable', alice.id]);
  t.regex(
    human.stdout,
    /^disabled user "Alice" \(.+\); their sessions, grants and refresh tokens are revoked\n$/,
  );
});

test.serial('an unknown user: one line, exit 1, nothing recorded', async (t) => {
  const events = await database.db('audit_events').count({ n: '*' });
  failsWithOneLine(t, await users.run(['users', 'disable', 'nobody']), /no user/);
  t.deepEqual(await database.db('audit_events').count({ n: '*' }), events);
});

test.serial('usage errors: no user, an unknown option; exit 2', async (t) => {
  failsWithOneLine(t, await users.run(['users', 'disable']), /missing required argument 'user'/, 2);
  failsWithOneLine(
    t,
    await users.run(['users', 'disable', 'alice', '--forever']),
    /unknown option '--forever'/,
    2,
  );
});

test.serial('--help has an example', async (t) => {
  await showsHelpWithExample(t, database, ['users', 'disable']);
});

test.serial('no output ever contained a password', (t) => {
  users.neverPrinted(t, 6);
});
