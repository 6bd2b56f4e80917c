import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { cliWith, failsWithOneLine, showsHelpWithExample } from './helpers.ts';
import { PASSWORD, type UserJson, type UsersCli, usersCli } from './users-fixtures.ts';

let database: TestDatabase;
let users: UsersCli;
test.before(async () => {
  database = await createTestDatabase();
  users = usersCli(database);
});
test.after.always(async () => {
  await database?.drop();
});

test.serial('create reads the password from stdin and prints the user', async (t) => {
  const user = await users.runJson<UserJson>(
    [
      'users',
      'create',
      '--username',
      'Alice',
      '--password-stdin',
      '--email',
      'alice@example.com',
      '--name',
      'Alice Liddell',
    ],
    `${PASSWORD}\n`,
  );
  t.deepEqual(Object.keys(user).sort(), [
    'created_at',
    'disabled',
    'email',
    'email_verified',
    'id',
    'name',
    'username',
  ]);
  t.like(user, {
    username: 'Alice',
    email: 'alice@example.com',
    email_verified: false,
    name: 'Alice Liddell',
    disabled: false,
  });
  t.regex(user.id, /^[A-Za-z0-9_-]{22}$/);
  t.false(Number.isNaN(Date.parse(user.created_at)));
  // One trailing newline is not part of the password.
  t.is((await users.authenticate('alice', PASSWORD))?.id, user.id);
  t.is(await users.authenticate('alice', `${PASSWORD}\n`), undefined);
  const rows = await users.userRows();
  t.true(String(rows[0]?.password_hash).startsWith('$argon2id$'));
  t.false(JSON.stringify(rows).includes(PASSWORD), 'only the hash is stored');
});

test.serial('human output of create; a CRLF line ending is stripped too', async (t) => {
  const result = await users.run(
    ['users', 'create', '--username', 'bob', '--password-stdin'],
    `${PASSWORD}\r\n`,
  );
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^created user "bob"\nid: [A-Za-z0-9_-]{22}\n$/);
  t.truthy(await users.authenticate('bob', PASSWORD));
});

test.serial('only one trailing newline is stripped; other whitespace is kept', async (t) => {
  const padded = `  ${PASSWORD}  `;
  await users.runJson(
    ['users', 'create', '--username', 'carol', '--password-stdin'],
    `${padded}\n`,
  );
  t.truthy(await users.authenticate('carol', padded));
  t.is(await users.authenticate('carol', PASSWORD), undefined);
});

const refusals: Array<[string, string[], string, RegExp]> = [
  ['empty stdin', ['--username', 'dave'], '', /no password on stdin/],
  ['a lone newline on stdin', ['--username', 'dave'], '\n', /no password on stdin/],
  ['a short password', ['--username', 'dave'], 'short12\n', /8 to 1024 characters/],
  ['the username as password', ['--username', 'davedave'], 'DAVEDAVE', /not be the username/],
  ['a password over the limit', ['--username', 'dave'], 'x'.repeat(5000), /too long/],
  ['a bad username', ['--username', 'dave smith'], PASSWORD, /username must be/],
  ['an empty username', ['--username', ''], PASSWORD, /username must be/],
  ['a bad email', ['--username', 'dave', '--email', 'dave@'], PASSWORD, /not a valid email/],
  [
    'a taken username, in another case',
    ['--username', 'ALICE'],
    PASSWORD,
    /a user named "ALICE" already exists/,
  ],
];

for (const [what, args, stdin, why] of refusals) {
  test.serial(`create refuses ${what}: one line, exit 1, nothing written`, async (t) => {
    const before = await users.userRows();
    const result = await users.run(['users', 'create', ...args, '--password-stdin'], stdin);
    failsWithOneLine(t, result, why);
    t.deepEqual(await users.userRows(), before);
  });
}

test.serial('create refuses a password that is not valid UTF-8', async (t) => {
  const before = await users.userRows();
  const result = await cliWith(
    database,
    ['users', 'create', '--username', 'dave', '--password-stdin'],
    { stdin: Buffer.from([0x70, 0x61, 0x73, 0x73, 0xff, 0xfe, 0x77, 0x6f, 0x72, 0x64]) },
  );
  t.is(result.code, 1);
  t.is(result.stderr, 'portcullis: the password on stdin is not valid UTF-8\n');
  t.is(result.stdout, '');
  t.deepEqual(await users.userRows(), before);
});

test.serial('a password in the arguments is refused without being echoed', async (t) => {
  const before = await users.userRows();
  for (const args of [
    ['users', 'create', '--username', 'erin', '--password-stdin', `--password=${PASSWORD}`],
    ['users', 'create', '--username', 'erin', '--password-stdin', '--password', PASSWORD],
  ]) {
    failsWithOneLine(t, await users.run(args, 'another password\n'), /use --password-stdin/, 2);
  }
  // Also without --password-stdin, or without a value: the advice, not "required option missing".
  for (const args of [
    ['users', 'create', '--username', 'erin', '--password', PASSWORD],
    ['users', 'create', '--password', '--username', 'erin'],
  ]) {
    const result = await users.run(args, '');
    failsWithOneLine(
      t,
      result,
      /^portcullis: passwords are never accepted as arguments .*: use --password-stdin\n$/,
      2,
    );
    t.false(result.stderr.includes(PASSWORD));
  }
  const missing = await users.run(['users', 'create', '--username', 'erin'], `${PASSWORD}\n`);
  t.is(missing.code, 2, 'without --password-stdin: a usage error');
  t.regex(missing.stderr, /--password-stdin/);
  t.deepEqual(await users.userRows(), before);
});

test.serial(
  'usage errors: no --username, an unknown option; exit 2, nothing written',
  async (t) => {
    const before = await users.userRows();
    failsWithOneLine(
      t,
      await users.run(['users', 'create', '--password-stdin'], `${PASSWORD}\n`),
      /required option '--username <username>' not specified/,
      2,
    );
    failsWithOneLine(
      t,
      await users.run(
        ['users', 'create', '--username', 'erin', '--password-stdin', '--admin'],
        `${PASSWORD}\n`,
      ),
      /unknown option '--admin'/,
      2,
    );
    t.deepEqual(await users.userRows(), before);
  },
);

test.serial('--help has an example, and --password is not offered', async (t) => {
  const help = await showsHelpWithExample(t, database, ['users', 'create']);
  t.notRegex(help, /--password </);
  t.regex(help, /--password-stdin/);
});

test.serial('no output ever contained a password', (t) => {
  users.neverPrinted(t, 17, ['short12', 'DAVEDAVE']);
});
