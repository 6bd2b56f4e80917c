import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { exampleResourceDatabase } from './clients-fixtures.ts';
import { type CliResult, cliWith } from './helpers.ts';
import { remoteServe } from './remote-fixtures.ts';

// Every keys command run locally (the database, with the servers' key-encryption key) and
// remotely (`--server`: the admin API of a real `serve`, which uses its own), on one database.
// The keys are the server's, shared by both modes: the tests run in order, and where a command
// changes them, each mode rotates its own algorithm (local RS256, remote ES256).

const serve = remoteServe('admin:read admin:keys');
const database = exampleResourceDatabase(() => serve.start(database));

const local = (args: string[]) =>
  cliWith(database, ['keys', ...args], {
    env: {
      PORTCULLIS_KEY_ENCRYPTION_KEY: serve.secrets.PORTCULLIS_KEY_ENCRYPTION_KEY,
      PORTCULLIS_ACTOR: 'ops',
    },
  });
const remote = (args: string[], env?: NodeJS.ProcessEnv) => serve.cli(['keys', ...args], env);

/** What may differ between the modes: kids, algorithms (each its own), times, ages. */
function normalised(result: CliResult): CliResult {
  const clean = (text: string) =>
    text
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>')
      .replace(/(?<![\w-])[\w-]{43}(?![\w-])/g, '<kid>')
      .replace(/\b(ES|RS)256\b/g, '<alg>')
      .replace(/"age_seconds": \d+/g, '"age_seconds": <age>')
      .replace(/^(<kid> +<alg> +\w+ +)\d+[smhd]/gm, '$1<age>')
      .replace(/ {2,}/g, '  ');
  return { code: result.code, stdout: clean(result.stdout), stderr: clean(result.stderr) };
}

/** Runs `args` in both modes, the local one first, each on its own algorithm where given. */
async function bothWays(t: import('ava').ExecutionContext, args: (alg: string) => string[]) {
  const here = await local(args('RS256'));
  // A local `--now` makes a new key sign at once: the API may take a second to accept it.
  await acceptsNewKeys();
  const there = await remote(args('ES256'));
  t.deepEqual(normalised(there), normalised(here), args('<alg>').join(' '));
  return here;
}

/**
 * Waits until the admin API accepts tokens of the keys a `--now` rotation made: it refetches its
 * issuer's JWKS for an unknown key at most once a second (docs/admin-api.md), so a token signed
 * within that second by a new key is refused (401) until then.
 */
async function acceptsNewKeys() {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if ((await remote(['list'])).code === 0) return;
    await sleep(200);
  }
}

test.serial(
  'keys rotate through a token without admin:keys: one line, nothing rotated',
  async (t) => {
    const before = await database.db('signing_keys').count({ n: '*' });
    const result = await remote(['rotate', '--now'], {
      ...serve.env,
      PORTCULLIS_ADMIN_SCOPE: 'admin:read',
    });
    t.is(result.code, 1);
    t.is(result.stdout, '');
    t.regex(
      result.stderr,
      /^portcullis: the admin API refused the token \(403\): .*admin:keys.*\n$/,
    );
    t.deepEqual(await database.db('signing_keys').count({ n: '*' }), before);
  },
);

test.serial('keys list: the same in both modes, word for word', async (t) => {
  for (const args of [['list'], ['list', '--json']]) {
    const here = await local(args);
    t.is(here.code, 0, here.stderr);
    const there = await remote(args);
    // The same keys: only the ages may tick between the two reads.
    t.deepEqual(normalised(there), normalised(here), args.join(' '));
    t.regex(there.stdout, /ES256/);
  }
});

test.serial('keys rotate, staged, then refused while staged: the same in both modes', async (t) => {
  const staged = await bothWays(t, (alg) => ['rotate', '--alg', alg, '--propagation', '90s']);
  t.is(staged.code, 0, staged.stderr);
  t.regex(staged.stderr, /cache the JWKS for 10 minutes/);
  t.regex(staged.stdout, /published now; it signs from/);
  const again = await bothWays(t, (alg) => ['rotate', '--alg', alg, '--json']);
  t.is(again.code, 1);
  t.regex(again.stderr, /^portcullis: a rotation of <alg> is already staged|is already staged/);
  const listed = await bothWays(t, () => ['list']);
  t.regex(listed.stdout, /next .* signs from/);
});

test.serial(
  'keys rotate --now, and --now --revoke-old --json: the same in both modes',
  async (t) => {
    const now = await bothWays(t, (alg) => ['rotate', '--now', '--alg', alg]);
    t.is(now.code, 0, now.stderr);
    t.regex(now.stdout, /signs now\n.* retired: published until/);
    const revoked = await bothWays(t, (alg) => [
      'rotate',
      '--now',
      '--revoke-old',
      '--alg',
      alg,
      '--json',
    ]);
    t.is(revoked.code, 0, revoked.stderr);
    t.is(
      (JSON.parse(revoked.stdout) as { replaced: Array<{ state: string }> }).replaced[0]?.state,
      'removed',
    );
    await acceptsNewKeys();
    await bothWays(t, () => ['list', '--json']);
    // Each mode's rotations are audited with its own actor: the CLI's, and the admin client.
    const actors = await database
      .db('audit_events')
      .where({ type: 'key.activated' })
      .pluck('actor');
    t.true(actors.includes('cli:ops'));
    t.true(
      actors.some((actor: string) => actor.startsWith('client:')),
      actors.join(', '),
    );
  },
);

test.serial('keys rotate refusals: the same line in both modes', async (t) => {
  for (const args of [
    ['rotate', '--revoke-old'],
    ['rotate', '--now', '--propagation', '1h'],
    ['rotate', '--propagation', '31d'],
    ['rotate', '--alg', 'HS256'],
  ]) {
    const result = await bothWays(t, () => args);
    t.is(result.code, 2, args.join(' '));
    t.is(result.stdout, '');
  }
});
