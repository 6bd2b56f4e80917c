import test from 'ava';
import { createRateLimitsRepository, rateLimiterStore } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

test('delete removes one counter and says what it held', async (t) => {
  await database.db('rate_limits').insert([
    { key: 'signin:a', points: 3, expire: 1_900_000_000_000 },
    { key: 'signin:b', points: 7, expire: null },
  ]);
  const limits = createRateLimitsRepository(database.db);
  t.deepEqual(await limits.delete('signin:a'), { points: 3, expiresAt: 1_900_000_000_000 });
  t.deepEqual(await limits.delete('signin:b'), { points: 7, expiresAt: null });
  t.is(await limits.delete('signin:a'), undefined);
  t.is(await limits.delete('signin:none'), undefined);
});

test('the limiter store names the migrated table and the given client', (t) => {
  const store = rateLimiterStore(database.db);
  t.is(store.storeClient, database.db);
  t.like(store, { storeType: 'knex', tableName: 'rate_limits', tableCreated: true });
});
