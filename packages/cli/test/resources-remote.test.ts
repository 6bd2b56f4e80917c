import test from 'ava';
import { API } from './helpers.ts';
import { bothWays, confirmAfter, normalised, remoteStack } from './remote-twins.ts';

// Every resources command run twice, locally (the database) and remotely (`--server`, through
// the admin API of a real `serve`, with a token of a real admin client got by client
// credentials), on twin resources made the same way: the outputs must be the same, identifiers,
// names, ids and times aside.

const stack = remoteStack('admin:read admin:write');

/**
 * Makes twin resources, `https://local-<what>.example` and `https://remote-<what>.example`
 * (named `local-<what>`, `remote-<what>`), each created by its own mode; with `withClient`, each
 * also allowed to a client of its own (`<name>-app`), made locally.
 */
async function twins(what: string, withClient = false) {
  const made = [];
  for (const mode of ['local', 'remote'] as const) {
    const name = `${mode}-${what}`;
    const identifier = `https://${name}.example`;
    const args = ['resources', 'create', '--identifier', identifier, '--name', name];
    const scopes = ['--scope', 'x:read=Read', 'x:write=Write', '--json'];
    const result = await stack[mode]([...args, ...scopes]);
    if (result.code !== 0) throw new Error(`${mode} create failed: ${result.stderr}`);
    let id = identifier;
    if (withClient) {
      const client = await stack.local([
        ...['clients', 'create', '--name', `${name}-app`, '--grant', 'client_credentials'],
        ...['--resource', identifier, '--scope', 'x:read', '--json'],
      ]);
      id = (JSON.parse(client.stdout) as { client_id: string }).client_id;
    }
    made.push({ name, id });
  }
  return made as [{ name: string; id: string }, { name: string; id: string }];
}

const uri = (name: string) => `https://${name}.example`;

// Each case: the command's arguments for a twin's name (its identifier is uri(name)).
const CASES: Array<[string, (name: string) => string[]]> = [
  ['show', (name) => ['resources', 'show', uri(name)]],
  ['show --json', (name) => ['resources', 'show', uri(name), '--json']],
  ['update', (name) => ['resources', 'update', uri(name), '--access-token-ttl', '5m']],
  [
    'update --json',
    (name) => [
      ...['resources', 'update', uri(name), '--scope', 'x:admin=Administer', '--remove-scope'],
      ...['x:write', '--role-gated', 'x:admin', '--roles-claim', '--json'],
    ],
  ],
  ['update, nothing changed', (name) => ['resources', 'update', uri(name), '--format', 'jwt']],
  ['update, a bad TTL', (name) => ['resources', 'update', uri(name), '--access-token-ttl', '9d']],
  ['update, a bad format', (name) => ['resources', 'update', uri(name), '--format', 'paper']],
  ['update, an unknown scope', (name) => ['resources', 'update', uri(name), '--role-gated', 'no']],
  ['update, nothing given', (name) => ['resources', 'update', uri(name)]],
  ['delete', (name) => ['resources', 'delete', uri(name), '--yes']],
  ['delete --json', (name) => ['resources', 'delete', uri(name), '--yes', '--json']],
  ['delete, not confirmed', (name) => ['resources', 'delete', uri(name)]],
];
for (const [what, args] of CASES) {
  test(`resources ${what}: the same output locally and through the admin API`, async (t) => {
    const [here, there] = await bothWays(stack, await twins(what.replace(/\W+/g, '-')), args);
    t.deepEqual(there, here);
    t.not(here.stdout + here.stderr, '');
  });
}

test('resources delete of one allowed to a client: refused without --force, detached with', async (t) => {
  const pair = await twins('allowed', true);
  for (const args of [
    (name: string) => ['resources', 'delete', uri(name), '--yes'],
    (name: string) => ['resources', 'delete', uri(name), '--yes', '--force', '--json'],
  ]) {
    const [here, there] = await bothWays(stack, pair, args);
    t.deepEqual(there, here);
  }
  const [refused, forced] = [
    await stack.local(['resources', 'show', uri('local-allowed')]),
    await stack.remote(['resources', 'show', uri('remote-allowed')]),
  ];
  t.is(refused.code, 1, 'deleted with --force');
  t.is(forced.code, 1, 'deleted with --force');
});

test('resources create and its refusals: the same output in both modes', async (t) => {
  for (const extra of [
    [],
    ['--json', '--access-token-ttl', '15m', '--format', 'opaque', '--roles-claim'],
    ['--access-token-ttl', '2d'],
    ['--scope', 'no-description'],
    ['--role-gated', 'nope'],
  ]) {
    const args = (mode: string) => {
      const name = `${mode}-create-${extra.length}-${extra[0] ?? ''}`;
      return ['resources', 'create', '--identifier', uri(name), '--name', name, ...extra];
    };
    const names = [args('local')[5] as string, args('remote')[5] as string];
    const here = normalised(await stack.local(args('local')), names, []);
    const there = normalised(await stack.remote(args('remote')), names, []);
    t.deepEqual(there, here, extra.join(' '));
  }
  // An identifier that is already registered (the example API's), in both modes.
  const taken = ['resources', 'create', '--identifier', API, '--name', 'again'];
  t.deepEqual(await stack.remote(taken), await stack.local(taken));
});

// Serial: ava runs it before the others, so that no resource changes between the two lists.
test.serial(
  'resources show of no such resource, and list: the same output in both modes',
  async (t) => {
    await twins('listed');
    for (const args of [
      ['resources', 'show', 'https://nowhere.example'],
      ['resources', 'list'],
      ['resources', 'list', '--json'],
    ]) {
      // The same database: the same resources, word for word.
      t.deepEqual(await stack.remote(args), await stack.local(args), args.join(' '));
    }
  },
);

test('resources apply is not available with --server: one line, exit 2, nothing read', async (t) => {
  const result = await stack.remote(['resources', 'apply', '--from', 'no-such-file.json']);
  t.deepEqual(result, {
    code: 2,
    stdout: '',
    stderr:
      'portcullis: resources apply is not available with --server: run it where the database is\n',
  });
});

test('a change made by someone else while the operator confirms a delete: one line, nothing deleted', async (t) => {
  const [, twin] = await twins('raced');
  // Another operator renames the resource (locally) after the question, before the answer.
  const args = ['resources', 'delete', uri(twin.name)];
  const { code, stderr } = await confirmAfter(stack.serve, args, async () => {
    const other = await stack.local(['resources', 'update', uri(twin.name), '--name', 'renamed']);
    t.is(other.code, 0, other.stderr);
  });
  t.is(code, 1);
  t.regex(stderr, /\] portcullis: someone else changed it meanwhile: nothing done/);
  t.is((await stack.local(['resources', 'show', uri(twin.name)])).code, 0, 'still there');
});
