import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { parseConsoleSessions } from '../../src/config/console-sessions.ts';
import { createConsoleSessions } from '../../src/console/console-sessions.ts';
import { artifactDigest } from '../../src/secrets/artifact-secrets.ts';

// The console's sessions on a real PostgreSQL with the clock frozen: the idle timeout is the
// row's expiry, moved by each request and never past the absolute lifetime, which `find` also
// checks; renewing replaces the tokens under the same id; the limits' configuration.

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const LIMITS = { idleSeconds: 1800, maxSeconds: 36_000 };
const T0 = 1_900_000_000;
const SESSION = {
  accessToken: 'access-1',
  refreshToken: 'refresh-1',
  scopes: ['admin:read'],
  subject: 'user-1',
  expiresAt: T0 + 600,
};

/** Seconds until the row of session `id` expires, by the database's clock. */
async function secondsLeft(id: string): Promise<number> {
  const row = await database
    .db('oidc_artifacts')
    .where({ model: 'AdminConsoleSession', id: artifactDigest(id) })
    .first(database.db.raw('extract(epoch from expires_at - now()) as left'));
  return Number(row.left);
}

test('a session lives the idle timeout, each request starting it again, never past its lifetime', async (t) => {
  let now = T0;
  const sessions = createConsoleSessions(database.db, LIMITS, () => now);
  const id = await sessions.start(SESSION);
  const left = await secondsLeft(id);
  t.true(left > 1700 && left <= 1800, String(left));
  const found = await sessions.find(id);
  t.is(found?.startedAt, T0);
  t.is(found?.accessToken, 'access-1');
  // Near the end of its lifetime, a request keeps it only for what is left of it.
  now = T0 + 36_000 - 120;
  t.true(await sessions.touch(id, found as NonNullable<typeof found>));
  const near = await secondsLeft(id);
  t.true(near > 60 && near <= 120, String(near));
  // At its end it is over, whatever its row says.
  now = T0 + 36_000;
  t.is(await sessions.find(id), undefined);
  t.false(await sessions.touch(id, found as NonNullable<typeof found>));
});

test('renewing replaces the tokens under the same id; an ended session is found no more', async (t) => {
  const sessions = createConsoleSessions(database.db, LIMITS, () => T0);
  const id = await sessions.start(SESSION);
  const found = await sessions.find(id);
  if (!found) return t.fail('no session');
  await sessions.renew(id, { ...found, accessToken: 'access-2', refreshToken: 'refresh-2' });
  const renewed = await sessions.find(id);
  t.is(renewed?.accessToken, 'access-2');
  t.is(renewed?.refreshToken, 'refresh-2');
  t.is(renewed?.startedAt, T0, 'the lifetime still counts from the sign-in');
  // Stored sealed: the database alone holds no token.
  const rows = await database.db('oidc_artifacts').where({ model: 'AdminConsoleSession' });
  t.false(JSON.stringify(rows).includes('access-2'));
  t.false(JSON.stringify(rows).includes('refresh-2'));
  await sessions.end(id);
  t.is(await sessions.find(id), undefined);
  t.is(await sessions.find('not an id'), undefined);
});

test('the limits: 30 minutes idle and 10 hours at most by default; bad values named', (t) => {
  t.deepEqual(parseConsoleSessions({}), { idleSeconds: 1800, maxSeconds: 36_000 });
  t.deepEqual(
    parseConsoleSessions({
      PORTCULLIS_CONSOLE_IDLE_TIMEOUT: '15m',
      PORTCULLIS_CONSOLE_MAX_SESSION: '8h',
    }),
    { idleSeconds: 900, maxSeconds: 28_800 },
  );
  for (const [name, value] of [
    ['PORTCULLIS_CONSOLE_IDLE_TIMEOUT', '0'],
    ['PORTCULLIS_CONSOLE_IDLE_TIMEOUT', 'soon'],
    ['PORTCULLIS_CONSOLE_MAX_SESSION', '2d'],
    ['PORTCULLIS_CONSOLE_MAX_SESSION', '-1h'],
  ] as const) {
    const error = t.throws(() => parseConsoleSessions({ [name]: value }), undefined, value);
    t.is((error as { code?: string }).code, 'config_invalid');
    t.regex(error?.message ?? '', new RegExp(`^${name} must be a duration`));
  }
  const longer = t.throws(() =>
    parseConsoleSessions({
      PORTCULLIS_CONSOLE_IDLE_TIMEOUT: '2h',
      PORTCULLIS_CONSOLE_MAX_SESSION: '1h',
    }),
  );
  t.regex(longer?.message ?? '', /must not be longer than PORTCULLIS_CONSOLE_MAX_SESSION/);
});
