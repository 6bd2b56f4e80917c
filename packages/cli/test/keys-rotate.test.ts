import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { type CliResult, showsHelpWithExample } from './helpers.ts';
import {
  byState,
  KEK,
  type KeyJson,
  type KeysContext,
  keys as keysIn,
  keysJson as keysJsonIn,
  openKeysContext,
  seconds,
} from './keys-fixtures.ts';

let context: KeysContext;
test.before(async () => {
  context = await openKeysContext();
});
test.after.always(async () => {
  await context?.close();
});

const keys = (args: string[], env: Record<string, string> = {}) => keysIn(context, args, env);
const keysJson = <T>(args: string[]) => keysJsonIn<T>(context, args);
const list = () => keysJson<KeyJson[]>(['list']);
const rows = () => context.database.db('signing_keys').orderBy('created_at');
const events = (type: string) =>
  context.database.db('audit_events').where({ type }).orderBy('id').select('actor', 'details');

/** Exit `code`, one line on stderr matching `why`, nothing on stdout. */
function fails(t: ExecutionContext, result: CliResult, code: number, why: RegExp) {
  t.is(result.code, code, result.stderr);
  t.regex(result.stderr, why);
  t.is(result.stderr.trim().split('\n').length, 1, result.stderr);
  t.is(result.stdout, '');
}

test.serial('a staged rotation publishes next keys that sign only after the delay', async (t) => {
  const result = await keysJson<{ staged: KeyJson[]; propagation_seconds: number }>([
    'rotate',
    '--propagation',
    '1h',
  ]);
  t.is(result.propagation_seconds, 3600);
  t.deepEqual(result.staged.map((k) => k.alg).sort(), ['ES256', 'RS256']);
  for (const key of result.staged) {
    t.is(key.state, 'next');
    t.is(seconds(key.created_at, key.activates_at), 3600);
    t.is(key.activated_at, null);
  }
  // The first rotation on an empty database also created the keys a server would have.
  const all = await list();
  t.is(all.length, 4);
  for (const alg of ['ES256', 'RS256']) {
    t.is(byState(all, 'active', alg).length, 1);
    t.is(byState(all, 'next', alg).length, 1);
  }
  const staged = await events('key.staged');
  t.is(staged.length, 2);
  t.true(staged.every((e) => e.actor === 'cli:ops-bot'));
  t.deepEqual(staged.map((e) => e.details.kid).sort(), result.staged.map((k) => k.kid).sort());
  t.false(
    JSON.stringify(await context.database.db('audit_events')).includes('"d"'),
    'no key material',
  );
});

test.serial('a second staged rotation is refused while one is waiting', async (t) => {
  const before = await rows();
  fails(
    t,
    await keys(['rotate']),
    1,
    /a rotation of (ES|RS)256 is already staged: key \S+ signs from/,
  );
  t.is((await rows()).length, before.length);
});

test.serial(
  'once the staged key is due, the next rotation completes it first: old key retired for the longest token lifetime',
  async (t) => {
    // A resource whose tokens live a day: the retired key must stay published that long.
    await context.database.db('resources').insert({
      identifier: 'https://long.example.test',
      name: 'Long-lived tokens',
      access_token_ttl: 86_400,
    });
    const before = await list();
    const oldActive = byState(before, 'active', 'ES256')[0] as KeyJson;
    const staged = byState(before, 'next', 'ES256')[0] as KeyJson;
    await context.database
      .db('signing_keys')
      .where({ state: 'next' })
      .update({ activates_at: context.database.db.raw(`now() - interval '1 second'`) });

    const result = await keysJson<{ staged: KeyJson[] }>([
      'rotate',
      '--alg',
      'ES256',
      '--propagation',
      '15m',
    ]);
    t.deepEqual(
      result.staged.map((k) => k.alg),
      ['ES256'],
    );
    const after = await list();
    t.is(byState(after, 'active', 'ES256')[0]?.kid, staged.kid, 'the staged key signs now');
    const retired = after.find((k) => k.kid === oldActive.kid) as KeyJson;
    t.is(retired.state, 'retired');
    t.is(seconds(retired.retired_at, retired.removes_at), 86_400 + 300);
    t.is(byState(after, 'next', 'ES256')[0]?.kid, result.staged[0]?.kid);
    t.is(byState(after, 'next', 'RS256').length, 0, 'the RS256 staged key was activated too');
    t.is(byState(after, 'retired', 'RS256').length, 1);

    const activated = await events('key.activated');
    t.true(activated.some((e) => e.details.kid === staged.kid && e.actor === 'system'));
    const retiredEvents = await events('key.retired');
    t.true(retiredEvents.some((e) => e.details.kid === oldActive.kid));
  },
);

test.serial(
  '--now: a new key signs at once, the old one is retired, a staged one dropped',
  async (t) => {
    const before = await list();
    const oldActive = byState(before, 'active', 'ES256')[0] as KeyJson;
    const staged = byState(before, 'next', 'ES256')[0] as KeyJson;
    const result = await keysJson<{ activated: KeyJson[]; replaced: KeyJson[] }>([
      'rotate',
      '--now',
      '--alg',
      'ES256',
    ]);
    t.is(result.activated.length, 1);
    t.is(result.activated[0]?.state, 'active');
    t.deepEqual(
      result.replaced.map((k) => [k.kid, k.state]),
      [[oldActive.kid, 'retired']],
    );
    const after = await list();
    t.is(byState(after, 'active', 'ES256')[0]?.kid, result.activated[0]?.kid);
    t.is(byState(after, 'next', 'ES256').length, 0);
    t.false(
      after.some((k) => k.kid === staged.kid),
      'the staged key never signed: dropped',
    );
    t.true((await events('key.removed')).some((e) => e.details.kid === staged.kid));

    const text = await keys(['rotate', '--now', '--alg', 'RS256']);
    t.is(text.code, 0, text.stderr);
    t.regex(
      text.stdout,
      /^RS256 key \S+ signs now\nRS256 key \S+ retired: published until \S+Z\n$/,
    );
  },
);

test.serial('--now --revoke-old removes the old key from the JWKS at once', async (t) => {
  const oldActive = byState(await list(), 'active', 'ES256')[0] as KeyJson;
  const result = await keys(['rotate', '--now', '--revoke-old', '--alg', 'ES256']);
  t.is(result.code, 0, result.stderr);
  t.regex(
    result.stdout,
    new RegExp(
      `ES256 key ${oldActive.kid} removed from the JWKS: tokens it signed no longer verify`,
    ),
  );
  const after = await list();
  t.false(after.some((k) => k.kid === oldActive.kid));
  t.is(byState(after, 'active', 'ES256').length, 1);
  const removed = await events('key.removed');
  t.true(removed.some((e) => e.details.kid === oldActive.kid && e.actor === 'cli:ops-bot'));
});

test.serial(
  'a short propagation delay warns about resource servers caching the JWKS',
  async (t) => {
    const result = await keys(['rotate', '--propagation', '90s', '--alg', 'RS256']);
    t.is(result.code, 0, result.stderr);
    t.regex(result.stderr, /^warning: resource servers cache the JWKS for 10 minutes by default/);
    t.regex(result.stdout, /RS256 key \S+ published now; it signs from \S+Z \(in 1m\)/);
  },
);

test.serial('a wrong key-encryption key is refused before anything is written', async (t) => {
  const before = await rows();
  for (const args of [
    ['rotate', '--alg', 'ES256'],
    ['rotate', '--now'],
  ]) {
    fails(
      t,
      await keys(args, { PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url') }),
      1,
      /PORTCULLIS_KEY_ENCRYPTION_KEY is not the key they were stored with/,
    );
  }
  t.deepEqual(await rows(), before);
});

test.serial('without a key-encryption key: one line, exit 1', async (t) => {
  fails(
    t,
    await keys(['rotate'], { PORTCULLIS_KEY_ENCRYPTION_KEY: '' }),
    1,
    /set PORTCULLIS_KEY_ENCRYPTION_KEY/,
  );
  fails(
    t,
    await keys(['rotate'], { PORTCULLIS_KEY_ENCRYPTION_KEY: 'short' }),
    1,
    /PORTCULLIS_KEY_ENCRYPTION_KEY must be base64url of exactly 32 bytes/,
  );
});

test.serial('the development key-encryption key in the data folder is used when set', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-keys-dev-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    path.join(dir, 'dev-secrets.json'),
    JSON.stringify({ cookieKeys: ['x'.repeat(32)], keyEncryptionKey: KEK }),
  );
  const result = await keys(['rotate', '--now', '--alg', 'ES256', '--json'], {
    PORTCULLIS_KEY_ENCRYPTION_KEY: '',
    PORTCULLIS_DATA_DIR: dir,
  });
  t.is(result.code, 0, result.stderr);
});

const usageErrors: Array<[string, string[], RegExp]> = [
  ['--revoke-old without --now', ['--revoke-old'], /--revoke-old goes with --now/],
  ['--now with --propagation', ['--now', '--propagation', '1h'], /exclude each other/],
  ['a propagation of 0', ['--propagation', '0'], /duration from 1s to 30d/],
  ['a propagation beyond 30 days', ['--propagation', '31d'], /duration from 1s to 30d/],
  ['a propagation that is not a duration', ['--propagation', 'soon'], /duration from 1s to 30d/],
  ['an unknown algorithm', ['--alg', 'HS256'], /Allowed choices are ES256, RS256/],
  ['an unknown option', ['--force'], /unknown option/],
];

for (const [what, args, why] of usageErrors) {
  test.serial(`rotate refuses ${what}: exit 2, nothing written`, async (t) => {
    const before = await rows();
    fails(t, await keys(['rotate', ...args]), 2, why);
    t.deepEqual(await rows(), before);
  });
}

test.serial('--help has examples and says what --now costs', async (t) => {
  const help = await showsHelpWithExample(t, context.database, ['keys', 'rotate']);
  t.regex(help, /--now +emergency/);
  t.regex(help, /--revoke-old +with --now/);
});
