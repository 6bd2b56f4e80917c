import test from 'ava';
import { failsWithOneLine, showsHelpWithExample } from './helpers.ts';
import {
  byState,
  type KeyJson,
  type KeysContext,
  keys,
  keysJson,
  openKeysContext,
} from './keys-fixtures.ts';

let context: KeysContext;
test.before(async () => {
  context = await openKeysContext();
});
test.after.always(async () => {
  await context?.close();
});

const list = () => keysJson<KeyJson[]>(context, ['list']);

test.serial('list on a database no server has used yet: no keys', async (t) => {
  t.deepEqual(await list(), []);
  t.is((await keys(context, ['list'])).stdout, '(none)\n');
});

test.serial('the table shows kid, algorithm, state, age and what happens next', async (t) => {
  await keysJson(context, ['rotate', '--propagation', '1h']);
  const result = await keys(context, ['list']);
  t.is(result.code, 0);
  const lines = result.stdout.trim().split('\n');
  t.regex(lines[0] ?? '', /^KID +ALG +STATE +AGE +SCHEDULE$/);
  t.is(lines.length, 6);
  t.regex(result.stdout, /ES256 +next +\d+s +signs from \S+Z \(in (59m|1h)\)/);
  t.regex(result.stdout, /ES256 +active +\d+s +signing/);
  t.regex(result.stdout, /RS256 +next /);
});

test.serial('--json lists newest first per algorithm: next, active, retired', async (t) => {
  await keysJson(context, ['rotate', '--now', '--alg', 'ES256']);
  const all = await list();
  t.deepEqual(
    all.map((k) => [k.alg, k.state]),
    [
      ['ES256', 'active'],
      ['ES256', 'retired'],
      ['RS256', 'next'],
      ['RS256', 'active'],
    ],
  );
  const retired = byState(all, 'retired', 'ES256')[0] as KeyJson;
  const table = await keys(context, ['list']);
  t.regex(
    table.stdout,
    new RegExp(`${retired.kid} +ES256 +retired +\\d+s +published until \\S+Z \\(in \\d+[smhd]\\)`),
  );
});

test.serial('no output ever carries private key material', async (t) => {
  const listed = await keys(context, ['list', '--json']);
  const parsed = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
  t.true(parsed.length > 0);
  for (const key of parsed) {
    t.deepEqual(Object.keys(key).sort(), [
      'activated_at',
      'activates_at',
      'age_seconds',
      'alg',
      'created_at',
      'kid',
      'removes_at',
      'retired_at',
      'state',
    ]);
  }
});

test('usage errors: an argument, an unknown option; exit 2', async (t) => {
  failsWithOneLine(t, await keys(context, ['list', 'ES256']), /too many arguments/, 2);
  failsWithOneLine(t, await keys(context, ['list', '--private']), /unknown option '--private'/, 2);
});

test('--help has an example', async (t) => {
  await showsHelpWithExample(t, context.database, ['keys', 'list']);
});
