import test from 'ava';
import { createAuditRepository, createJanitorRepository } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const janitor = () => createJanitorRepository(database.db);

// Rows with explicit times relative to the database clock.
async function insert(
  model: string,
  id: string,
  times: { expiresIn?: string | null; consumedAgo?: string },
): Promise<void> {
  const { db } = database;
  await db('oidc_artifacts').insert({
    model,
    id,
    payload: JSON.stringify({ jti: id }),
    expires_at: times.expiresIn == null ? null : db.raw(`now() + interval '${times.expiresIn}'`),
    consumed_at: times.consumedAgo ? db.raw(`now() - interval '${times.consumedAgo}'`) : null,
  });
}

const ids = async () => (await database.db('oidc_artifacts').orderBy('id').pluck('id')) as string[];

test.serial('counts, then deletes expired rows and rows consumed before the margin', async (t) => {
  await database.db('oidc_artifacts').delete();
  await insert('AccessToken', 'expired-1', { expiresIn: '-1 hour' });
  await insert('Session', 'expired-2', { expiresIn: '-1 second' });
  await insert('RefreshToken', 'consumed-old', { expiresIn: '10 days', consumedAgo: '2 days' });
  await insert('RefreshToken', 'consumed-recent', { expiresIn: '10 days', consumedAgo: '1 hour' });
  await insert('Grant', 'live', { expiresIn: '1 day' });
  await insert('Grant', 'forever', { expiresIn: null });

  const counts = await janitor().countPurgeable({ consumedMarginSeconds: 86_400 });
  t.deepEqual(counts, { expired: { AccessToken: 1, Session: 1 }, consumed: { RefreshToken: 1 } });
  t.is((await ids()).length, 6, 'counting deletes nothing');

  t.deepEqual(await janitor().deleteExpiredBatch(1000), { AccessToken: 1, Session: 1 });
  t.deepEqual(await janitor().deleteConsumedBatch(86_400, 1000), { RefreshToken: 1 });
  t.deepEqual(await ids(), ['consumed-recent', 'forever', 'live']);
  t.deepEqual(await janitor().deleteExpiredBatch(1000), {});
});

test.serial('batches are bounded by the limit', async (t) => {
  await database.db('oidc_artifacts').delete();
  for (let i = 0; i < 25; i += 1) await insert('AccessToken', `e${i}`, { expiresIn: '-1 minute' });
  t.deepEqual(await janitor().deleteExpiredBatch(10), { AccessToken: 10 });
  t.deepEqual(await janitor().deleteExpiredBatch(10), { AccessToken: 10 });
  t.deepEqual(await janitor().deleteExpiredBatch(10), { AccessToken: 5 });
  t.deepEqual(await janitor().deleteExpiredBatch(10), {});
});

test.serial('audit events before a cutoff are counted and deleted', async (t) => {
  const { db } = database;
  const audit = createAuditRepository(db);
  await audit.record({ type: 'token.issued', actor: 'cli:test' });
  await db('audit_events').update({ occurred_at: db.raw(`now() - interval '40 days'`) });
  await audit.record({ type: 'token.revoked', actor: 'cli:test' });
  const cutoff = new Date(Date.now() - 30 * 86_400_000);
  const counts = await janitor().countPurgeable({ consumedMarginSeconds: 60, auditBefore: cutoff });
  t.is(counts.auditEvents, 1);
  t.is(await janitor().deleteAuditBefore(cutoff), 1);
  t.deepEqual(await db('audit_events').pluck('type'), ['token.revoked']);
});

test.serial('only one holder of the lock at a time; released afterwards', async (t) => {
  let inner: unknown;
  const outer = await janitor().withLock(async () => {
    inner = await janitor().withLock(async () => 'second');
    return 'first';
  });
  t.deepEqual(outer, { acquired: true, value: 'first' });
  t.deepEqual(inner, { acquired: false });
  t.deepEqual(await janitor().withLock(async () => 'again'), { acquired: true, value: 'again' });
});

test.serial('the lock is released when the work throws', async (t) => {
  await t.throwsAsync(
    janitor().withLock(async () => {
      throw new Error('boom');
    }),
    { message: 'boom' },
  );
  t.deepEqual(await janitor().withLock(async () => 1), { acquired: true, value: 1 });
});

test.serial(
  'mailed links: expired ones and ones used before the margin, as MailedLink',
  async (t) => {
    const { db } = database;
    await db('oidc_artifacts').delete();
    await db('users').insert({ id: 'u-links', username: 'links', password_hash: 'x' });
    const link = (id: string, expiresIn: string, consumedAgo?: string) =>
      db('user_tokens').insert({
        id,
        user_id: 'u-links',
        purpose: 'password_reset',
        email: 'links@example.test',
        expires_at: db.raw(`now() + interval '${expiresIn}'`),
        consumed_at: consumedAgo ? db.raw(`now() - interval '${consumedAgo}'`) : null,
      });
    await link('expired', '-1 minute');
    await link('used-long-ago', '1 hour', '2 days');
    await link('used-just-now', '1 hour', '1 minute');
    await link('live', '20 minutes');
    // Sign-up links and invitations too.
    const signup = (id: string, expiresIn: string, consumedAgo?: string) =>
      db('signup_links').insert({
        id,
        kind: 'invitation',
        email: 'new@example.test',
        created_by: 'cli:test',
        expires_at: db.raw(`now() + interval '${expiresIn}'`),
        consumed_at: consumedAgo ? db.raw(`now() - interval '${consumedAgo}'`) : null,
      });
    await signup('invite-expired', '-1 day');
    await signup('invite-used-long-ago', '5 days', '2 days');
    await signup('invite-live', '7 days');

    t.deepEqual(await janitor().countPurgeable({ consumedMarginSeconds: 86_400 }), {
      expired: { MailedLink: 2 },
      consumed: { MailedLink: 2 },
    });
    t.deepEqual(await janitor().deleteExpiredBatch(1000), { MailedLink: 2 });
    t.deepEqual(await janitor().deleteConsumedBatch(86_400, 1000), { MailedLink: 2 });
    t.deepEqual(await db('user_tokens').orderBy('id').pluck('id'), ['live', 'used-just-now']);
    t.deepEqual(await db('signup_links').pluck('id'), ['invite-live']);
  },
);

test.serial(
  'expired passkey challenges never answered go, counted as PasskeyChallenge',
  async (t) => {
    const { db } = database;
    await db('oidc_artifacts').delete();
    const challenge = (binding: string, expiresIn: string) => ({
      binding,
      purpose: 'passwordless',
      challenge: `challenge-${binding}`,
      expires_at: db.raw(`now() + interval '${expiresIn}'`),
    });
    await db('webauthn_challenges').insert([
      challenge('stale-1', '-1 minute'),
      challenge('stale-2', '-1 day'),
      challenge('fresh', '4 minutes'),
    ]);
    t.deepEqual((await janitor().countPurgeable({ consumedMarginSeconds: 60 })).expired, {
      PasskeyChallenge: 2,
    });
    t.deepEqual(await janitor().deleteExpiredBatch(1), { PasskeyChallenge: 1 });
    t.deepEqual(await janitor().deleteExpiredBatch(10), { PasskeyChallenge: 1 });
    t.deepEqual(await db('webauthn_challenges').pluck('binding'), ['fresh']);
  },
);
