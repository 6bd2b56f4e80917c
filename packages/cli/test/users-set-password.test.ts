import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { failsWithOneLine, showsHelpWithExample } from './helpers.ts';
import { PASSWORD, type UsersCli, usersCli } from './users-fixtures.ts';

let database: TestDatabase;
let users: UsersCli;
test.before(async () => {
  database = await createTestDatabase();
  users = usersCli(database);
  await users.createUser('bob');
});
test.after.always(async () => {
  await database?.drop();
});

const NEW = 'a brand new passphrase';

test.serial('set-password checks the policy and writes nothing when it refuses', async (t) => {
  const before = await users.userRows();
  failsWithOneLine(
    t,
    await users.run(['users', 'set-password', 'bob', '--password-stdin'], ''),
    /no password on stdin/,
  );
  failsWithOneLine(
    t,
    await users.run(['users', 'set-password', 'bob', '--password-stdin'], 'short\n'),
    /8 to 1024/,
  );
  failsWithOneLine(
    t,
    await users.run(['users', 'set-password', 'bobbobbob', '--password-stdin'], `${PASSWORD}\n`),
    /no user/,
  );
  t.deepEqual(await users.userRows(), before);
});

test.serial('set-password replaces the password from stdin', async (t) => {
  const changed = await users.runJson<{ username: string }>(
    ['users', 'set-password', 'BOB', '--password-stdin'],
    `${NEW}\n`,
  );
  t.is(changed.username, 'bob');
  t.is(await users.authenticate('bob', PASSWORD), undefined);
  t.truthy(await users.authenticate('bob', NEW));
  const human = await users.run(['users', 'set-password', 'bob', '--password-stdin'], PASSWORD);
  t.regex(human.stdout, /^changed the password of user "bob"/);
  t.truthy(await users.authenticate('bob', PASSWORD));
});

test.serial('a password in the arguments is refused without being echoed', async (t) => {
  const before = await users.userRows();
  for (const args of [
    ['users', 'set-password', 'bob', '--password-stdin', `--password=${NEW}`],
    ['users', 'set-password', 'bob', '--password-stdin', '--password', NEW],
  ]) {
    failsWithOneLine(t, await users.run(args, 'another password\n'), /use --password-stdin/, 2);
  }
  const bare = await users.run(['users', 'set-password', 'bob', '--password', NEW], '');
  failsWithOneLine(
    t,
    bare,
    /^portcullis: passwords are never accepted as arguments .*: use --password-stdin\n$/,
    2,
  );
  t.false(bare.stderr.includes(NEW));
  t.deepEqual(await users.userRows(), before);
  t.truthy(await users.authenticate('bob', PASSWORD), 'the password is unchanged');
});

test.serial('usage errors: no --password-stdin, no user; exit 2, nothing written', async (t) => {
  const before = await users.userRows();
  failsWithOneLine(
    t,
    await users.run(['users', 'set-password', 'bob'], `${NEW}\n`),
    /required option '--password-stdin' not specified/,
    2,
  );
  failsWithOneLine(
    t,
    await users.run(['users', 'set-password', '--password-stdin'], `${NEW}\n`),
    /missing required argument 'user'/,
    2,
  );
  t.deepEqual(await users.userRows(), before);
});

test.serial('--help has an example, and --password is not offered', async (t) => {
  const help = await showsHelpWithExample(t, database, ['users', 'set-password']);
  t.notRegex(help, /--password </);
});

test.serial('no output ever contained a password', (t) => {
  users.neverPrinted(t, 10, [NEW, 'short']);
});
