import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { seedExampleResource } from '../src/seed-example-resource.ts';
import { cli } from './helpers.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const exampleCatalogue = fileURLToPath(
  new URL('../../example-api/src/catalogue.ts', import.meta.url),
);

test.serial("what `portcullis dev` seeds is exactly the example API's catalogue", async (t) => {
  await seedExampleResource(database.db, 'http://localhost:4000');
  const plan = await cli(database, [
    'resources',
    'apply',
    '--from',
    exampleCatalogue,
    '--prune',
    '--plan',
  ]);
  t.is(plan.code, 0, plan.stderr);
  t.is(
    plan.stdout,
    'http://localhost:4000: unchanged\nno changes: the registration matches the catalogue\n',
  );
});

test.serial('seeding again leaves an existing registration alone', async (t) => {
  await database
    .db('resource_scopes')
    .where({ name: 'notes:read' })
    .update({ description: 'Edited' });
  await seedExampleResource(database.db, 'http://localhost:4000');
  const row = await database.db('resource_scopes').where({ name: 'notes:read' }).first();
  t.is(row.description, 'Edited');
});
