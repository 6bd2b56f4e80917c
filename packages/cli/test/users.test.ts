import { Readable, Writable } from 'node:stream';
import { createUsersService } from '@portcullis/auth-server';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test, { type ExecutionContext } from 'ava';
import { run as runCli } from '../src/index.ts';
import { type CliResult, cli } from './helpers.ts';

let database: TestDatabase;
const outputs: CliResult[] = [];
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const PASSWORD = 'tr0ub4dor&3 but longer';

interface UserJson {
  id: string;
  username: string;
  email: string | null;
  email_verified: boolean;
  name: string | null;
  disabled: boolean;
  created_at: string;
}

// Every run is kept, so the last test can check that no output ever contained a password.
async function run(args: string[], stdin = ''): Promise<CliResult> {
  const result = await cli(database, args, stdin);
  outputs.push(result);
  return result;
}

async function runJson<T = Record<string, unknown>>(args: string[], stdin = ''): Promise<T> {
  const result = await run([...args, '--json'], stdin);
  if (result.code !== 0) throw new Error(`portcullis ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

const userRows = () => database.db('users').orderBy('id');
const authenticate = (username: string, password: string) =>
  createUsersService(database.db).authenticate(username, password);

/** One line on stderr, exit 1, nothing on stdout. */
function failsWithOneLine(t: ExecutionContext, result: CliResult, why: RegExp) {
  t.is(result.code, 1, result.stderr);
  t.regex(result.stderr, why);
  t.is(result.stderr.trim().split('\n').length, 1, result.stderr);
  t.is(result.stdout, '');
}

test.serial('create reads the password from stdin and prints the user', async (t) => {
  const user = await runJson<UserJson>(
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
  t.is((await authenticate('alice', PASSWORD))?.id, user.id);
  t.is(await authenticate('alice', `${PASSWORD}\n`), undefined);
  const rows = await userRows();
  t.true(String(rows[0]?.password_hash).startsWith('$argon2id$'));
  t.false(JSON.stringify(rows).includes(PASSWORD), 'only the hash is stored');
});

test.serial('human output of create; a CRLF line ending is stripped too', async (t) => {
  const result = await run(
    ['users', 'create', '--username', 'bob', '--password-stdin'],
    `${PASSWORD}\r\n`,
  );
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^created user "bob"\nid: [A-Za-z0-9_-]{22}\n$/);
  t.truthy(await authenticate('bob', PASSWORD));
});

test.serial('only one trailing newline is stripped; other whitespace is kept', async (t) => {
  const padded = `  ${PASSWORD}  `;
  await runJson(['users', 'create', '--username', 'carol', '--password-stdin'], `${padded}\n`);
  t.truthy(await authenticate('carol', padded));
  t.is(await authenticate('carol', PASSWORD), undefined);
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
    const before = await userRows();
    const result = await run(['users', 'create', ...args, '--password-stdin'], stdin);
    failsWithOneLine(t, result, why);
    t.deepEqual(await userRows(), before);
  });
}

test.serial('create refuses a password that is not valid UTF-8', async (t) => {
  const before = await userRows();
  let stderr = '';
  const code = await runCli(['users', 'create', '--username', 'dave', '--password-stdin'], {
    env: { DATABASE_URL: database.url },
    stdout: new Writable({ write: (_chunk, _encoding, done) => done() }),
    stderr: new Writable({
      write(chunk, _encoding, done) {
        stderr += String(chunk);
        done();
      },
    }),
    stdin: Readable.from([
      Buffer.from([0x70, 0x61, 0x73, 0x73, 0xff, 0xfe, 0x77, 0x6f, 0x72, 0x64]),
    ]),
  });
  t.is(code, 1);
  t.is(stderr, 'portcullis: the password on stdin is not valid UTF-8\n');
  t.deepEqual(await userRows(), before);
});

test.serial('a password in the arguments is refused without being echoed', async (t) => {
  const before = await userRows();
  for (const args of [
    ['users', 'create', '--username', 'erin', '--password-stdin', `--password=${PASSWORD}`],
    ['users', 'create', '--username', 'erin', '--password-stdin', '--password', PASSWORD],
    ['users', 'set-password', 'alice', '--password-stdin', `--password=${PASSWORD}`],
  ]) {
    const result = await run(args, 'another password\n');
    t.is(result.code, 2);
    t.regex(result.stderr, /use --password-stdin/);
    t.is(result.stderr.trim().split('\n').length, 1);
  }
  const missing = await run(['users', 'create', '--username', 'erin'], `${PASSWORD}\n`);
  t.is(missing.code, 2, 'without --password-stdin: a usage error');
  t.regex(missing.stderr, /--password-stdin/);
  t.deepEqual(await userRows(), before);
});

test.serial('list prints a table and JSON', async (t) => {
  const table = await run(['users', 'list']);
  t.is(table.code, 0, table.stderr);
  t.regex(table.stdout, /^USERNAME +ID +EMAIL +STATUS +CREATED\n/);
  t.regex(table.stdout, /\nAlice +[A-Za-z0-9_-]{22} +alice@example\.com +active +\d{4}-/);
  t.regex(table.stdout, /\nbob +[A-Za-z0-9_-]{22} +- +active/);
  const list = await runJson<Array<{ username: string }>>(['users', 'list']);
  t.deepEqual(
    list.map((u) => u.username),
    ['Alice', 'bob', 'carol'],
  );
  t.false(JSON.stringify(list).includes('argon2'), 'never the hash');
});

test.serial('show finds a user by username in any case or by id', async (t) => {
  const byName = await runJson<{ id: string }>(['users', 'show', 'ALICE']);
  const byId = await runJson(['users', 'show', byName.id]);
  t.deepEqual(byId, byName);
  const human = await run(['users', 'show', 'alice']);
  t.regex(human.stdout, /^username: Alice\n/);
  t.regex(human.stdout, /status: +active/);
  t.false(human.stdout.includes('argon2'));
  failsWithOneLine(
    t,
    await run(['users', 'show', 'nobody']),
    /no user with id or username "nobody"/,
  );
});

test.serial(
  'disable blocks sign-in and revokes what was issued; enable lets the user back',
  async (t) => {
    const alice = await runJson<{ id: string }>(['users', 'show', 'alice']);
    await database.db('oidc_artifacts').insert([
      { model: 'Session', id: 'sess', payload: JSON.stringify({ accountId: alice.id }) },
      { model: 'Grant', id: 'grant', payload: JSON.stringify({ accountId: alice.id }) },
    ]);
    const disabled = await runJson<{ disabled: boolean }>(['users', 'disable', 'alice']);
    t.true(disabled.disabled);
    t.is(await authenticate('alice', PASSWORD), undefined);
    t.deepEqual(await database.db('oidc_artifacts').pluck('id'), []);
    t.regex((await run(['users', 'list'])).stdout, /\nAlice .* disabled /);
    const human = await run(['users', 'disable', alice.id]);
    t.regex(
      human.stdout,
      /^disabled user "Alice" \(.+\); their sessions, grants and refresh tokens are revoked\n$/,
    );

    const enabled = await runJson<{ disabled: boolean }>(['users', 'enable', 'ALICE']);
    t.false(enabled.disabled);
    t.truthy(await authenticate('alice', PASSWORD));
    t.regex((await run(['users', 'enable', 'alice'])).stdout, /^enabled user "Alice"/);
    failsWithOneLine(t, await run(['users', 'disable', 'nobody']), /no user/);
    failsWithOneLine(t, await run(['users', 'enable', 'nobody']), /no user/);
  },
);

test.serial('set-password replaces the password from stdin and checks the policy', async (t) => {
  const before = await userRows();
  failsWithOneLine(
    t,
    await run(['users', 'set-password', 'bob', '--password-stdin'], ''),
    /no password on stdin/,
  );
  failsWithOneLine(
    t,
    await run(['users', 'set-password', 'bob', '--password-stdin'], 'short\n'),
    /8 to 1024/,
  );
  failsWithOneLine(
    t,
    await run(['users', 'set-password', 'bobbobbob', '--password-stdin'], `${PASSWORD}\n`),
    /no user/,
  );
  t.deepEqual(await userRows(), before);

  const NEW = 'a brand new passphrase';
  const changed = await runJson<{ username: string }>(
    ['users', 'set-password', 'BOB', '--password-stdin'],
    `${NEW}\n`,
  );
  t.is(changed.username, 'bob');
  t.is(await authenticate('bob', PASSWORD), undefined);
  t.truthy(await authenticate('bob', NEW));
  const human = await run(['users', 'set-password', 'bob', '--password-stdin'], PASSWORD);
  t.regex(human.stdout, /^changed the password of user "bob"/);
  t.truthy(await authenticate('bob', PASSWORD));
});

test.serial('delete removes the user and everything issued to them', async (t) => {
  const carol = await runJson<{ id: string }>(['users', 'show', 'carol']);
  await database.db('oidc_artifacts').insert({
    model: 'Session',
    id: 'carol-sess',
    payload: JSON.stringify({ accountId: carol.id }),
  });
  t.deepEqual(await runJson(['users', 'delete', 'CAROL']), {
    deleted: carol.id,
    username: 'carol',
  });
  t.deepEqual(await database.db('oidc_artifacts').where({ id: 'carol-sess' }), []);
  failsWithOneLine(t, await run(['users', 'show', carol.id]), /no user/);
  failsWithOneLine(t, await run(['users', 'delete', carol.id]), /no user/);
  const human = await run(['users', 'delete', 'bob']);
  t.regex(human.stdout, /^deleted user "bob" \([A-Za-z0-9_-]{22}\)\n$/);
});

test.serial('every command has help with an example, and --password is not offered', async (t) => {
  for (const command of ['create', 'list', 'show', 'disable', 'enable', 'set-password', 'delete']) {
    const help = await run(['users', command, '--help']);
    t.is(help.code, 0, command);
    t.regex(help.stdout, /Example:\n {2}\$ .*portcullis users /, command);
    t.regex(help.stdout, /--json/, command);
    t.notRegex(help.stdout, /--password </, command);
  }
});

test.serial('no output ever contained a password', (t) => {
  t.true(outputs.length > 20);
  for (const { stdout, stderr } of outputs) {
    for (const secret of [PASSWORD, 'a brand new passphrase', 'short12', 'DAVEDAVE']) {
      t.false(stdout.includes(secret) || stderr.includes(secret), `${stdout}${stderr}`);
    }
  }
});
