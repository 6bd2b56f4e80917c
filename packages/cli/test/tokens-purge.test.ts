import { createJanitorRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { cli, cliJson } from './helpers.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

// `expired` rows past their expiry, `consumed` refresh tokens used two days ago, `fresh` ones
// used an hour ago, and `live` sessions.
async function seed(counts: {
  expired?: number;
  consumed?: number;
  fresh?: number;
  live?: number;
}) {
  const { db } = database;
  await db('oidc_artifacts').delete();
  const rows = (prefix: string, n: number, model: string, extra: Record<string, unknown>) =>
    Array.from({ length: n }, (_, i) => ({
      model,
      id: `${prefix}-${i}`,
      payload: JSON.stringify({ jti: `${prefix}-${i}` }),
      ...extra,
    }));
  const all = [
    ...rows('expired', counts.expired ?? 0, 'AccessToken', {
      expires_at: db.raw(`now() - interval '1 minute'`),
    }),
    ...rows('consumed', counts.consumed ?? 0, 'RefreshToken', {
      expires_at: db.raw(`now() + interval '10 days'`),
      consumed_at: db.raw(`now() - interval '2 days'`),
    }),
    ...rows('fresh', counts.fresh ?? 0, 'RefreshToken', {
      expires_at: db.raw(`now() + interval '10 days'`),
      consumed_at: db.raw(`now() - interval '1 hour'`),
    }),
    ...rows('live', counts.live ?? 0, 'Session', {
      expires_at: db.raw(`now() + interval '1 day'`),
    }),
  ];
  for (let i = 0; i < all.length; i += 500)
    await db('oidc_artifacts').insert(all.slice(i, i + 500));
}

const remaining = async () =>
  Object.fromEntries(
    (
      (await database
        .db('oidc_artifacts')
        .select(database.db.raw(`split_part(id, '-', 1) as kind`))
        .count({ n: '*' })
        .groupBy('kind')) as Array<{ kind: string; n: string }>
    ).map((r) => [r.kind, Number(r.n)]),
  );

test.serial('--dry-run counts by model and deletes nothing', async (t) => {
  await seed({ expired: 3, consumed: 2, fresh: 1, live: 1 });
  const plan = await cliJson(database, ['tokens', 'purge', '--dry-run']);
  t.deepEqual(plan, {
    dry_run: true,
    expired: { AccessToken: 3 },
    consumed: { RefreshToken: 2 },
    audit_events: null,
  });
  t.deepEqual(await remaining(), { expired: 3, consumed: 2, fresh: 1, live: 1 });
  const human = await cli(database, ['tokens', 'purge', '--dry-run']);
  t.is(
    human.stdout,
    'would delete 3 (3 AccessToken) expired row(s)\nwould delete 2 (2 RefreshToken) row(s) consumed over 1d ago\n',
  );
});

test.serial(
  'purge deletes expired rows and rows consumed before the margin, nothing else',
  async (t) => {
    await seed({ expired: 3, consumed: 2, fresh: 1, live: 1 });
    const report = await cliJson(database, ['tokens', 'purge']);
    t.deepEqual(report, {
      dry_run: false,
      expired: { AccessToken: 3 },
      consumed: { RefreshToken: 2 },
      audit_events: null,
    });
    t.deepEqual(await remaining(), { fresh: 1, live: 1 });
  },
);

test.serial('--consumed-margin moves the line', async (t) => {
  await seed({ consumed: 2, fresh: 1 });
  const kept = await cliJson(database, ['tokens', 'purge', '--consumed-margin', '3d']);
  t.deepEqual(kept.consumed, {});
  t.deepEqual(await remaining(), { consumed: 2, fresh: 1 });
  const report = await cliJson(database, ['tokens', 'purge', '--consumed-margin', '30m']);
  t.deepEqual(report.consumed, { RefreshToken: 3 });
  t.deepEqual(await remaining(), {});
});

test.serial('a large table is purged in batches, with progress lines on stderr', async (t) => {
  await seed({ expired: 250, live: 5 });
  const result = await cli(database, ['tokens', 'purge', '--batch-size', '10', '--json']);
  t.is(result.code, 0);
  t.deepEqual(JSON.parse(result.stdout).expired, { AccessToken: 250 });
  t.deepEqual(result.stderr.trim().split('\n'), [
    'purging expired rows: 100 of 250 deleted',
    'purging expired rows: 200 of 250 deleted',
  ]);
  t.deepEqual(await remaining(), { live: 5 });
});

test.serial('--older-than also deletes old audit events', async (t) => {
  const { db } = database;
  await seed({});
  await db('audit_events').delete();
  await db('audit_events').insert([
    { type: 'token.issued', actor: 'cli:test', occurred_at: db.raw(`now() - interval '400 days'`) },
    { type: 'token.issued', actor: 'cli:test', occurred_at: db.raw(`now() - interval '10 days'`) },
  ]);
  const plan = await cliJson(database, ['tokens', 'purge', '--older-than', '365d', '--dry-run']);
  t.is(plan.audit_events, 1);
  t.is((await db('audit_events').count({ n: '*' }))[0]?.n, '2');
  const human = await cli(database, ['tokens', 'purge', '--older-than', '365d']);
  t.regex(human.stdout, /deleted 1 audit event\(s\) older than 365d/);
  t.is((await db('audit_events').count({ n: '*' }))[0]?.n, '1');
});

test.serial('while another process purges, purge exits 1 and deletes nothing', async (t) => {
  await seed({ expired: 2 });
  const janitor = createJanitorRepository(database.db);
  const outcome = await janitor.withLock(() => cli(database, ['tokens', 'purge']));
  t.true(outcome.acquired);
  if (!outcome.acquired) return;
  t.is(outcome.value.code, 1);
  t.regex(outcome.value.stderr, /another purge is running/);
  t.deepEqual(await remaining(), { expired: 2 });
  const dryRun = await janitor.withLock(() => cliJson(database, ['tokens', 'purge', '--dry-run']));
  t.like(
    dryRun,
    { acquired: true, value: { expired: { AccessToken: 2 } } },
    'a dry run needs no lock',
  );
});

const refusals: Array<[string, string[], RegExp]> = [
  ['a zero batch', ['--batch-size', '0'], /--batch-size/],
  ['a huge batch', ['--batch-size', '100000'], /--batch-size/],
  ['a fractional batch', ['--batch-size', '1.5'], /--batch-size/],
  ['a malformed margin', ['--consumed-margin', 'soon'], /--consumed-margin/],
  ['a margin under a minute', ['--consumed-margin', '5s'], /--consumed-margin/],
  ['an audit age under a day', ['--older-than', '1h'], /--older-than/],
  ['an unknown option', ['--everything'], /unknown option/],
];
for (const [what, args, message] of refusals) {
  test.serial(`refuses ${what} with exit 2, deleting nothing`, async (t) => {
    await seed({ expired: 1 });
    const result = await cli(database, ['tokens', 'purge', ...args]);
    t.is(result.code, 2);
    t.regex(result.stderr, message);
    t.deepEqual(await remaining(), { expired: 1 });
  });
}

test('--help has an example', async (t) => {
  const result = await cli(database, ['tokens', 'purge', '--help']);
  t.regex(result.stdout, /Examples:\n {2}\$ portcullis tokens purge --dry-run/);
});
