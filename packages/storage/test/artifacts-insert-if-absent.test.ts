import test from 'ava';
import { createArtifactsRepository } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

// insertIfAbsent: the insert-only write behind replay detection (client assertions, DPoP proofs).

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const repo = () => createArtifactsRepository(database.db);
const seen = (id: string, expiresInSeconds = 60) => ({
  model: 'ReplayDetection',
  id,
  payload: { iss: 'client-1' },
  expiresInSeconds,
});

test('the first insert of a key wins, every later one loses and changes nothing', async (t) => {
  t.true(await repo().insertIfAbsent(seen('a')));
  t.false(await repo().insertIfAbsent({ ...seen('a'), payload: { iss: 'other' } }));
  t.deepEqual((await repo().find('ReplayDetection', 'a'))?.payload, { iss: 'client-1' });
  // Another model with the same id is another key.
  t.true(await repo().insertIfAbsent({ ...seen('a'), model: 'Other' }));
});

test('of 20 concurrent inserts of one key exactly one wins', async (t) => {
  const results = await Promise.all(
    Array.from({ length: 20 }, () => repo().insertIfAbsent(seen('raced'))),
  );
  t.is(results.filter(Boolean).length, 1);
});

test('an expired row left for the janitor is replaced, and expires again', async (t) => {
  t.true(await repo().insertIfAbsent(seen('old')));
  await database
    .db('oidc_artifacts')
    .where({ model: 'ReplayDetection', id: 'old' })
    .update({
      expires_at: database.db.raw("now() - interval '1 second'"),
    });
  t.true(await repo().insertIfAbsent(seen('old', 30)));
  const row = await database.db('oidc_artifacts').where({ id: 'old' }).first('expires_at');
  const left = (new Date(row.expires_at).getTime() - Date.now()) / 1000;
  t.true(left > 0 && left <= 35, String(left));
  t.false(await repo().insertIfAbsent(seen('old')));
});
