import test from 'ava';
import { API, type CliResult } from './helpers.ts';
import { bothWays, normalised, type RemoteStack, remoteStack } from './remote-twins.ts';
import { PASSWORD } from './users-fixtures.ts';

// Every users command run twice, locally (the database) and remotely (`--server`, through the
// admin API of a real `serve`), on twin users made the same way: the outputs must be the same,
// usernames, ids and times aside. The admin client has admin:users only: remote users commands
// ask for that scope and no other.

const base = remoteStack('admin:users', async () => {
  const role = await base.local(['roles', 'create', 'reader', '--scope', `${API} notes:read`]);
  if (role.code !== 0) throw new Error(role.stderr);
});
// Every output of the file, to check at the end that none ever had a password in it.
const outputs: CliResult[] = [];
const kept = (result: CliResult) => {
  outputs.push(result);
  return result;
};
const stack: RemoteStack = {
  ...base,
  local: async (args, stdin) => kept(await base.local(args, stdin)),
  remote: async (args, options) => kept(await base.remote(args, options)),
};
const NEW_PASSWORD = 'a new and longer passphrase';

/** Makes twin users, `local-<what>` and `remote-<what>`, each created by its own mode. */
async function twins(what: string) {
  const made = [];
  for (const mode of ['local', 'remote'] as const) {
    const name = `${mode}-${what}`;
    const args = ['users', 'create', '--username', name, '--password-stdin', '--json'];
    const result =
      mode === 'local'
        ? await stack.local(args, PASSWORD)
        : await stack.remote(args, { stdin: PASSWORD });
    if (result.code !== 0) throw new Error(`${mode} create failed: ${result.stderr}`);
    made.push({ name, id: (JSON.parse(result.stdout) as { id: string }).id });
  }
  return made as [{ name: string; id: string }, { name: string; id: string }];
}

// Each case: the command's arguments for a twin's username, and its stdin.
const CASES: Array<[string, (name: string) => string[], string?]> = [
  ['show', (name) => ['users', 'show', name]],
  ['show --json', (name) => ['users', 'show', name, '--json']],
  ['update', (name) => ['users', 'update', name, '--email', `${name}@example.com`]],
  ['update --no-email --json', (name) => ['users', 'update', name, '--no-email', '--json']],
  ['update, a bad address', (name) => ['users', 'update', name, '--email', 'not an address']],
  ['update, nothing given', (name) => ['users', 'update', name]],
  ['set-password', (name) => ['users', 'set-password', name, '--password-stdin'], NEW_PASSWORD],
  [
    'set-password --json',
    (name) => ['users', 'set-password', name, '--password-stdin', '--json'],
    NEW_PASSWORD,
  ],
  ['set-password, too short', (name) => ['users', 'set-password', name, '--password-stdin'], 'x'],
  ['disable', (name) => ['users', 'disable', name]],
  ['disable --json', (name) => ['users', 'disable', name, '--json']],
  ['enable', (name) => ['users', 'enable', name]],
  ['unlock', (name) => ['users', 'unlock', name]],
  ['unlock --json', (name) => ['users', 'unlock', name.toUpperCase(), '--json']],
  ['add-role', (name) => ['users', 'add-role', name, 'READER']],
  ['add-role --json', (name) => ['users', 'add-role', name, 'reader', '--json']],
  ['add-role, no such role', (name) => ['users', 'add-role', name, 'writer']],
  ['remove-role, not had', (name) => ['users', 'remove-role', name, 'reader']],
  ['delete', (name) => ['users', 'delete', name]],
  ['delete --json', (name) => ['users', 'delete', name, '--json']],
];
for (const [what, args, stdin] of CASES) {
  test(`users ${what}: the same output locally and through the admin API`, async (t) => {
    const pair = await twins(what.replace(/\W+/g, '-'));
    const [here, there] = await bothWays(stack, pair, args, stdin);
    t.deepEqual(there, here);
    t.not(here.stdout + here.stderr, '');
  });
}

test('users add-role then remove-role, and show: the same output in both modes', async (t) => {
  const pair = await twins('roles');
  for (const args of [
    (name: string) => ['users', 'add-role', name, 'reader'],
    (name: string) => ['users', 'add-role', name, 'reader'],
    (name: string) => ['users', 'show', name],
    (name: string) => ['users', 'remove-role', name, 'Reader', '--json'],
    (name: string) => ['users', 'show', name, '--json'],
  ]) {
    const [here, there] = await bothWays(stack, pair, args);
    t.deepEqual(there, here, args('x').join(' '));
  }
});

test('users set-password remotely: the new password signs in, the old one no longer', async (t) => {
  const [, twin] = await twins('signs-in');
  const changed = await stack.remote(['users', 'set-password', twin.name, '--password-stdin'], {
    stdin: NEW_PASSWORD,
  });
  t.is(changed.code, 0, changed.stderr);
  const { createUsersService } = await import('@portcullis/auth-server/services');
  const users = createUsersService(stack.database.db);
  t.truthy(await users.authenticate(twin.name, NEW_PASSWORD));
  t.falsy(await users.authenticate(twin.name, PASSWORD));
});

test('users create and its refusals: the same output in both modes', async (t) => {
  for (const [extra, stdin] of [
    [[], PASSWORD],
    [['--email', 'c@example.com', '--name', 'C. Person', '--json'], PASSWORD],
    [[], 'short'],
    [['--email', 'nope'], PASSWORD],
  ] as const) {
    const args = (mode: string) => {
      const name = `${mode}-create-${extra.length}-${stdin.length}`;
      return ['users', 'create', '--username', name, '--password-stdin', ...extra];
    };
    const names = [args('local')[3] as string, args('remote')[3] as string];
    const here = await stack.local(args('local'), stdin);
    const there = await stack.remote(args('remote'), { stdin });
    const ids = [here, there].flatMap((r) =>
      [...r.stdout.matchAll(/(?:^id: |"id": ")([\w-]+)/gm)].map((m) => m[1] as string),
    );
    t.deepEqual(normalised(there, names, ids), normalised(here, names, ids), extra.join(' '));
  }
  const taken = ['users', 'create', '--username', 'TAKEN', '--password-stdin'];
  await stack.local(['users', 'create', '--username', 'taken', '--password-stdin'], PASSWORD);
  t.deepEqual(await stack.remote(taken, { stdin: PASSWORD }), await stack.local(taken, PASSWORD));
  const bad = ['users', 'create', '--username', 'with space', '--password-stdin'];
  t.deepEqual(await stack.remote(bad, { stdin: PASSWORD }), await stack.local(bad, PASSWORD));
});

// Serial: ava runs it before the others, so that no user changes between the two lists.
test.serial(
  'users show of no such user, unlock of no user, and list: the same in both modes',
  async (t) => {
    await twins('listed');
    for (const args of [
      ['users', 'show', 'nobody'],
      ['users', 'unlock', 'nobody'],
      ['users', 'list'],
      ['users', 'list', '--json'],
    ]) {
      // The same database: the same users, word for word.
      t.deepEqual(await stack.remote(args), await stack.local(args), args.join(' '));
    }
  },
);

test('users invite and users mfa are not available with --server: one line, exit 2', async (t) => {
  for (const args of [
    ['users', 'invite', 'carol@example.com'],
    ['users', 'mfa', 'show', 'alice'],
    ['users', 'mfa', 'reset', 'alice', '--yes'],
  ]) {
    const name = args.slice(0, args[1] === 'mfa' ? 3 : 2).join(' ');
    t.deepEqual(await stack.remote(args), {
      code: 2,
      stdout: '',
      stderr: `portcullis: ${name} is not available with --server: run it where the database is\n`,
    });
  }
});

test('an admin client without admin:users: users commands refused in one line', async (t) => {
  const reader = await stack.local([
    'admin',
    'create-client',
    'reader',
    '--scope',
    'admin:read',
    '--json',
  ]);
  const { client_id: id, client_secret: secret } = JSON.parse(reader.stdout) as Record<
    string,
    string
  >;
  const env = { PORTCULLIS_ADMIN_CLIENT_ID: id, PORTCULLIS_ADMIN_CLIENT_SECRET: secret };
  const refused = await stack.remote(['users', 'list'], { env });
  t.is(refused.code, 1);
  t.is(refused.stdout, '');
  t.regex(refused.stderr, /^portcullis: the token endpoint refused [\w-]+: invalid_scope.*\n$/);
  // Asked for a scope it has, its token is refused by the API itself.
  const forbidden = await stack.remote(['users', 'list'], {
    env: { ...env, PORTCULLIS_ADMIN_SCOPE: 'admin:read' },
  });
  t.is(forbidden.code, 1);
  t.regex(forbidden.stderr, /^portcullis: the admin API refused the token \(403\): .*\n$/);
});

// Last: after every other test of the file.
test.after('no password was ever printed, nor written to the server log', (t) => {
  const log = stack.serve.log();
  const printed = outputs.map((r) => r.stdout + r.stderr).join('\n');
  t.true(outputs.length > 50, 'the outputs were kept');
  t.true(log.includes('/admin/v1/users'), 'the log has the admin API calls');
  for (const password of [PASSWORD, NEW_PASSWORD, encodeURIComponent(PASSWORD)]) {
    t.false(log.includes(password), 'a password in the server log');
    t.false(printed.includes(password), 'a password printed');
  }
});
