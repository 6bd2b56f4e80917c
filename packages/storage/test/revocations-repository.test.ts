import test from 'ava';
import {
  createGrantsRepository,
  createJanitorRepository,
  createRevocationsRepository,
  createUsersRepository,
  listenForChanges,
  publishRevocations,
} from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

// Every test reads the feed from where it stood when the test started.
const cursorNow = async () =>
  String((await database.db('revocations').max('seq as m').first())?.m ?? 0);
const after = (cursor: string) =>
  createRevocationsRepository(database.db).page(BigInt(cursor), 500);

test.serial(
  'each revocation path publishes what it revoked, in the same transaction',
  async (t) => {
    const { db } = database;
    const start = await cursorNow();
    const users = createUsersRepository(db);
    await users.create({ id: 'u-feed', username: 'feed-user', passwordHash: 'h' });
    await users.create({ id: 'u-gone', username: 'feed-gone', passwordHash: 'h' });
    await db('oidc_artifacts').insert({
      model: 'Grant',
      id: 'g-feed',
      payload: JSON.stringify({ accountId: 'u-other', clientId: 'c-x' }),
    });

    t.true(await createGrantsRepository(db).revoke('g-feed'));
    t.true(await users.setDisabled('u-feed', true));
    t.true(await users.delete('u-gone'));
    await users.endSignIns('u-feed', { refreshTokens: false });
    await users.endSignIns('u-feed', { refreshTokens: true });

    const page = await after(start);
    t.false(page.reset);
    t.deepEqual(
      page.entries.map((e) => [e.kind, e.value]),
      [
        ['grant', 'g-feed'],
        ['subject', 'u-feed'],
        ['subject', 'u-gone'],
        ['subject', 'u-feed'],
      ],
      'a sign-out that keeps refresh tokens revokes no token; one that ends them does',
    );
    // The default horizon: the longest access-token lifetime (600 s without resources) + 60 s.
    const first = page.entries[0];
    t.truthy(first);
    const horizon = ((first?.expiresAt.getTime() ?? 0) - (first?.revokedAt.getTime() ?? 0)) / 1000;
    t.true(Math.abs(horizon - 660) < 2, `horizon ${horizon}`);
    t.is(page.cursor, page.entries.at(-1)?.seq ?? '');

    // Nothing published for a revocation that did not happen or rolled back.
    t.false(await createGrantsRepository(db).revoke('no-such-grant'));
    await t.throwsAsync(
      db.transaction(async (trx) => {
        await publishRevocations(trx, [{ kind: 'client', value: 'rolled-back' }]);
        throw new Error('rollback');
      }),
    );
    t.deepEqual((await after(page.cursor)).entries, []);
  },
);

test.serial('a grant or token published twice is one entry; a subject twice is two', async (t) => {
  const start = await cursorNow();
  const { db } = database;
  await publishRevocations(db, [{ kind: 'grant', value: 'g-twice' }]);
  await publishRevocations(db, [{ kind: 'grant', value: 'g-twice' }]);
  await publishRevocations(db, [{ kind: 'subject', value: 's-twice' }]);
  await publishRevocations(db, [{ kind: 'subject', value: 's-twice' }]);
  const page = await after(start);
  t.deepEqual(
    page.entries.map((e) => `${e.kind}:${e.value}`),
    ['grant:g-twice', 'subject:s-twice', 'subject:s-twice'],
  );
});

test.serial(
  'a token entry lives until the expiry given; expired entries are skipped and purged',
  async (t) => {
    const start = await cursorNow();
    const { db } = database;
    const exp = new Date(Date.now() + 120_000);
    await publishRevocations(db, [{ kind: 'token', value: 'jti-1', expiresAt: exp }]);
    await publishRevocations(db, [{ kind: 'token', value: 'jti-old', expiresAt: new Date(0) }]);
    await db('revocations')
      .where({ value: 'jti-old' })
      .update({ expires_at: db.raw(`now() - interval '1 second'`) });
    const page = await after(start);
    t.deepEqual(
      page.entries.map((e) => e.value),
      ['jti-1'],
    );
    t.is(Math.round(page.entries[0]?.expiresAt.getTime() ?? 0), exp.getTime());
    t.is(
      page.cursor,
      String(
        await db('revocations')
          .max('seq as m')
          .first()
          .then((r) => r?.m),
      ),
    );

    const janitor = createJanitorRepository(db);
    t.is((await janitor.countPurgeable({ consumedMarginSeconds: 60 })).expired.Revocation, 1);
    t.is((await janitor.deleteExpiredBatch(100)).Revocation, 1);
    t.is(await db('revocations').where({ value: 'jti-old' }).first(), undefined);
  },
);

test.serial(
  'a cursor the feed cannot continue from gives a reset and the live snapshot',
  async (t) => {
    const repository = createRevocationsRepository(database.db);
    const first = await repository.page(undefined, 500);
    t.true(first.reset, 'no cursor: a snapshot');
    t.true(first.entries.length > 0);
    const ahead = await repository.page(10n ** 15n, 500);
    t.true(ahead.reset, 'a cursor from another database');
    t.deepEqual(
      ahead.entries.map((e) => e.seq),
      first.entries.map((e) => e.seq),
    );
    const current = await repository.page(BigInt(first.cursor), 500);
    t.false(current.reset);
    t.deepEqual(current.entries, []);
    t.is(current.cursor, first.cursor, 'nothing new: the cursor stays');

    // Pages are bounded: a snapshot bigger than a page continues without reset.
    const paged = await repository.page(undefined, 2);
    t.true(paged.reset);
    t.true(paged.more);
    t.is(paged.entries.length, 2);
    const next = await repository.page(BigInt(paged.cursor), 2);
    t.false(next.reset);
    t.not(next.entries[0]?.seq, paged.entries[1]?.seq);

    // Rows older than the cursor were purged: the reader may have missed live ones. A snapshot.
    await database.db('revocations').where('seq', '<=', first.cursor).delete();
    await publishRevocations(database.db, [{ kind: 'client', value: 'after-purge' }]);
    await publishRevocations(database.db, [{ kind: 'client', value: 'after-purge-2' }]);
    const behind = await repository.page(0n, 500);
    t.true(behind.reset);
    t.deepEqual(
      behind.entries.map((e) => e.value),
      ['after-purge', 'after-purge-2'],
    );
  },
);

test.serial(
  'rows commit in cursor order: a reader never skips a row that commits late',
  async (t) => {
    const { db } = database;
    const repository = createRevocationsRepository(db);
    const start = await cursorNow();
    let releaseSlow: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    // The first writer publishes, then holds its transaction open; the second must wait for it.
    const slow = db.transaction(async (trx) => {
      await publishRevocations(trx, [{ kind: 'grant', value: 'g-slow' }]);
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    let fastDone = false;
    const fast = publishRevocations(db, [{ kind: 'grant', value: 'g-fast' }]).then(() => {
      fastDone = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    t.false(fastDone, 'the second writer waits for the first to commit');
    const during = await repository.page(BigInt(start), 500);
    t.deepEqual(during.entries, [], 'nothing is visible while the first is open');
    releaseSlow();
    await slow;
    await fast;
    const page = await repository.page(BigInt(start), 500);
    t.deepEqual(
      page.entries.map((e) => e.value),
      ['g-slow', 'g-fast'],
    );
  },
);

test.serial('a publication wakes listeners on commit', async (t) => {
  const seen: string[] = [];
  let ready: () => void = () => {};
  const connected = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const listener = listenForChanges(database.url, {
    onChange: (change) => seen.push(change.kind),
    onConnected: () => ready(),
  });
  try {
    await connected;
    await publishRevocations(database.db, [{ kind: 'client', value: 'notified' }]);
    const deadline = Date.now() + 2000;
    while (!seen.includes('revocation') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    t.true(seen.includes('revocation'));
  } finally {
    await listener.close();
  }
});
