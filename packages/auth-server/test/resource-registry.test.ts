import { createResourcesRepository } from '@portcullis/storage';
import { createTestDatabase, statementsOf, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { createResourceRegistry } from '../src/registry/resource-registry.ts';
import { createResourcesService } from '../src/services/index.ts';

let database: TestDatabase;
const identifiers = ['https://a.example', 'https://b.example', 'https://c.example'];
test.before(async () => {
  database = await createTestDatabase();
  const service = createResourcesService(database.db);
  for (const identifier of identifiers) {
    await service.create({ identifier, name: identifier, scopes: [] });
  }
});
test.after.always(async () => {
  await database?.drop();
});

/** How many statements `work` makes. */
const statements = async (work: () => Promise<void>) =>
  (await statementsOf(database.db, work)).length;

test('the cache holds at most maxEntries resources, dropping the oldest', async (t) => {
  const registry = createResourceRegistry({
    resources: createResourcesRepository(database.db),
    maxEntries: 2,
  });
  const [a, b, c] = identifiers as [string, string, string];
  const filling = await statements(async () => {
    for (const identifier of [a, b, c])
      t.is((await registry.get(identifier))?.identifier, identifier);
  });
  t.true(filling > 0);
  // b and c are held: no statement.
  const held = await statements(async () => {
    await registry.get(c);
    await registry.get(b);
  });
  t.is(held, 0);
  // a was dropped for c: read again.
  const again = await statements(async () => {
    t.is((await registry.get(a))?.identifier, a);
  });
  t.true(again > 0);
});

test('an unknown resource is never held', async (t) => {
  const registry = createResourceRegistry({ resources: createResourcesRepository(database.db) });
  t.is(await registry.get('https://unknown.example'), undefined);
  t.true((await statements(async () => void (await registry.get('https://unknown.example')))) > 0);
});
