import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { seedExampleResource } from '../src/seed-example-resource.ts';
import { cli, cliJson } from './helpers.ts';

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

test('a new API port moves the earlier seed there, with its settings and its clients', async (t) => {
  const own = await createTestDatabase();
  t.teardown(() => own.drop());
  t.deepEqual(await seedExampleResource(own.db, 'http://localhost:4000'), { seeded: true });
  await cliJson(own, ['resources', 'update', 'http://localhost:4000', '--access-token-ttl', '5m']);
  const client = await cliJson<{ client_id: string }>(own, [
    'clients',
    'create',
    '--name',
    'demo',
    '--grant',
    'client_credentials',
    '--resource',
    'http://localhost:4000',
    '--scope',
    'notes:read',
  ]);

  const moved = await seedExampleResource(own.db, 'http://localhost:4100');
  t.deepEqual(moved, {
    seeded: true,
    moved: { from: 'http://localhost:4000', clients: [{ id: client.client_id, name: 'demo' }] },
  });
  const resources = await cliJson<Array<Record<string, unknown>>>(own, ['resources', 'list']);
  t.deepEqual(
    resources.map((r) => [r.identifier, r.name, r.access_token_ttl]),
    [['http://localhost:4100', 'Example notes API', 300]],
  );
  const shown = await cliJson<{ resources: string[]; scope: string }>(own, [
    'clients',
    'show',
    'demo',
  ]);
  t.deepEqual(shown.resources, ['http://localhost:4100']);
  t.is(shown.scope, 'notes:read', 'the client keeps its scopes');
  // Back to the first port: it follows again; the same port twice changes nothing.
  t.is(
    (await seedExampleResource(own.db, 'http://localhost:4000')).moved?.from,
    'http://localhost:4100',
  );
  t.deepEqual(await seedExampleResource(own.db, 'http://localhost:4000'), { seeded: false });
});

test("the example's name on a resource dev did not seed: nothing changes, the failure says what to run", async (t) => {
  const own = await createTestDatabase();
  t.teardown(() => own.drop());
  await cliJson(own, [
    'resources',
    'create',
    '--identifier',
    'https://notes.example.com',
    '--name',
    'Example Notes API',
    '--scope',
    'notes:read=Read',
  ]);
  const error = await t.throwsAsync(seedExampleResource(own.db, 'http://localhost:4000'));
  t.is(
    error?.message,
    'the example API\'s name "Example notes API" is taken by the resource https://notes.example.com: rename it (`portcullis resources update https://notes.example.com --name "another name"`) and start dev again',
  );
  const resources = await cliJson<Array<{ identifier: string }>>(own, ['resources', 'list']);
  t.deepEqual(
    resources.map((r) => r.identifier),
    ['https://notes.example.com'],
  );
});
