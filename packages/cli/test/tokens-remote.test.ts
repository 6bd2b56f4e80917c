import test from 'ava';
import { API, createService } from './clients-fixtures.ts';
import type { CliResult } from './helpers.ts';
import { remoteStack } from './remote-twins.ts';

// `tokens issue` and `tokens revoke --grant` run locally (the database) and remotely (`--server`,
// the admin API of a real `serve`) on one database: the outputs must be the same, the tokens,
// their grants and times aside.

const stack = remoteStack('admin:read admin:write admin:users', async () => {
  await createService(stack.database, 'reporting');
  const alice = await stack.local(
    ['users', 'create', '--username', 'alice', '--password-stdin'],
    'correct horse battery staple\n',
  );
  if (alice.code !== 0) throw new Error(alice.stderr);
});

/** What differs between two issued tokens: the token, its grant, its times. */
function normalised(result: CliResult): CliResult {
  const clean = (text: string) =>
    text
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>')
      .replace(/(?<![\w-])[\w-]{43}(?![\w-])/g, '<token>')
      .replace(/\b[\w-]{20,42}\b/g, '<grant>')
      .replace(/"expires_in": \d+/g, '"expires_in": <n>');
  return { code: result.code, stdout: clean(result.stdout), stderr: clean(result.stderr) };
}

const ISSUE = [...'tokens issue --client reporting --scope notes:read --resource'.split(' '), API];

test('tokens issue, and its refusals: the same output in both modes', async (t) => {
  for (const extra of [
    [],
    ['--json', '--ttl', '30d'],
    ['--user', 'alice'],
    ['--ttl', '400d'],
    ['--scope', 'notes:admin'],
    ['--user', 'nobody'],
  ]) {
    const args = [...ISSUE, ...extra];
    const here = await stack.local(args);
    const there = await stack.remote(args);
    t.deepEqual(normalised(there), normalised(here), extra.join(' '));
  }
  const issued = await stack.remote([...ISSUE, '--json']);
  t.regex(JSON.parse(issued.stdout).access_token, /^[\w-]{43}$/);
});

test('tokens revoke --grant: the same output in both modes, each its own token', async (t) => {
  const grant = async (run: typeof stack.local) =>
    JSON.parse((await run([...ISSUE, '--json'])).stdout).grant_id as string;
  for (const json of [[], ['--json']]) {
    const here = await stack.local([
      'tokens',
      'revoke',
      '--grant',
      await grant(stack.local),
      ...json,
    ]);
    const there = await stack.remote([
      'tokens',
      'revoke',
      '--grant',
      await grant(stack.local),
      ...json,
    ]);
    t.is(there.code, 0, there.stderr);
    t.deepEqual(normalised(there), normalised(here));
  }
  const none = ['tokens', 'revoke', '--grant', 'no-such-grant'];
  t.deepEqual(normalised(await stack.remote(none)), normalised(await stack.local(none)));
});

test('tokens revoke --client or --user through the admin API: one line, exit 2, nothing revoked', async (t) => {
  const issued = await stack.local([...ISSUE, '--json']);
  const grant = JSON.parse(issued.stdout).grant_id as string;
  for (const target of [
    ['--client', 'reporting'],
    ['--user', 'alice'],
  ]) {
    const result = await stack.remote(['tokens', 'revoke', ...target]);
    t.is(result.code, 2);
    t.is(result.stdout, '');
    t.regex(
      result.stderr,
      /^portcullis: tokens revoke --client and --user are not available with --server: .*\n$/,
    );
  }
  const kept = await stack.database
    .db('oidc_artifacts')
    .where({ grant_id: grant })
    .count({ n: '*' });
  t.true(Number(kept[0]?.n) > 0, 'the token is still there');
});

test('tokens issue --user without admin:users: one line naming the scope', async (t) => {
  const result = await stack.remote([...ISSUE, '--user', 'alice'], {
    env: { ...stack.serve.env, PORTCULLIS_ADMIN_SCOPE: 'admin:write' },
  });
  t.is(result.code, 1);
  t.regex(
    result.stderr,
    /^portcullis: the admin API refused the token \(403\): .*admin:users.*\n$/,
  );
});

test.serial('tokens list, table and --json: the same in both modes, never a token', async (t) => {
  const issued = await stack.local([...ISSUE, '--json']);
  const forAlice = await stack.remote([...ISSUE, '--user', 'alice', '--ttl', '1h', '--json']);
  for (const json of [[], ['--json']]) {
    const here = await stack.local(['tokens', 'list', ...json]);
    const there = await stack.remote(['tokens', 'list', ...json]);
    t.is(here.code, 0, here.stderr);
    t.deepEqual(there, here, json.join(' '));
    for (const result of [issued, forAlice]) {
      t.false(here.stdout.includes(JSON.parse(result.stdout).access_token));
    }
  }
  const list = JSON.parse((await stack.local(['tokens', 'list', '--json'])).stdout) as Array<
    Record<string, unknown>
  >;
  const alices = list.find((token) => token.grant_id === JSON.parse(forAlice.stdout).grant_id);
  t.like(alices, { client_name: 'reporting', scope: 'notes:read', resource: API });
  t.regex(String(alices?.issued_by), /^client:/, 'issued through the admin API');
  const mine = list.find((token) => token.grant_id === JSON.parse(issued.stdout).grant_id);
  t.regex(String(mine?.issued_by), /^cli:/, 'issued on the database');
  t.is(mine?.sub, null);
  const table = await stack.local(['tokens', 'list']);
  t.regex(table.stdout, /^GRANT ID +CLIENT +USER +SCOPE +RESOURCE +ISSUED +EXPIRES +ISSUED BY\n/);
});
