import test from 'ava';
import {
  createClientsRepository,
  createResourcesRepository,
  type StorageError,
} from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
  await createResourcesRepository(database.db).create({
    identifier: 'https://api.example.com',
    name: 'Example',
    scopes: [{ name: 'read', description: 'Read things' }],
  });
});
test.after.always(async () => {
  await database?.drop();
});

const base = {
  grantTypes: ['client_credentials'],
  redirectUris: [],
  scopes: ['read'],
  resources: ['https://api.example.com'],
  isPublic: false,
  firstParty: true,
};

test('create stores the client and its hashed secret', async (t) => {
  const clients = createClientsRepository(database.db);
  const created = await clients.create({
    ...base,
    id: 'svc-1',
    name: 'Billing',
    secret: { name: 'initial', secretHash: 'sha256$abc' },
  });
  t.is(created.name, 'Billing');
  t.deepEqual(created.resources, ['https://api.example.com']);
  const secrets = await clients.secrets('svc-1');
  t.is(secrets.length, 1);
  t.is(secrets[0]?.secretHash, 'sha256$abc');
  t.is(secrets[0]?.lastUsedAt, null);
  await clients.touchSecret(secrets[0]!.id);
  t.true((await clients.secrets('svc-1'))[0]?.lastUsedAt instanceof Date);
  t.is((await clients.findByIdOrName('billing'))?.id, 'svc-1');
});

test('a duplicate name, in any case, is a conflict and writes nothing', async (t) => {
  const clients = createClientsRepository(database.db);
  await clients.create({ ...base, id: 'svc-2', name: 'Reports' });
  const error = await t.throwsAsync(
    clients.create({
      ...base,
      id: 'svc-3',
      name: 'REPORTS',
      secret: { name: 'x', secretHash: 'h' },
    }),
  );
  t.is((error as StorageError).code, 'conflict');
  t.is(await clients.findById('svc-3'), undefined);
  t.deepEqual(await clients.secrets('svc-3'), []);
});

test('an unknown resource is invalid and writes nothing', async (t) => {
  const clients = createClientsRepository(database.db);
  const error = await t.throwsAsync(
    clients.create({ ...base, id: 'svc-4', name: 'Ghost', resources: ['https://nope.example'] }),
  );
  t.is((error as StorageError).code, 'invalid');
  t.is(await clients.findById('svc-4'), undefined);
});

test('delete removes the client, its secrets and its artifacts', async (t) => {
  const clients = createClientsRepository(database.db);
  await clients.create({
    ...base,
    id: 'svc-5',
    name: 'Doomed',
    secret: { name: 'a', secretHash: 'h' },
  });
  await database.db('oidc_artifacts').insert({
    model: 'RefreshToken',
    id: 'rt',
    payload: JSON.stringify({ clientId: 'svc-5' }),
  });
  t.true(await clients.delete('svc-5'));
  t.false(await clients.delete('svc-5'));
  t.is(await clients.findById('svc-5'), undefined);
  t.deepEqual(await clients.secrets('svc-5'), []);
  t.is((await database.db('oidc_artifacts').where({ id: 'rt' })).length, 0);
});

test('removeSecret deletes one secret by name, only with the id given, with its audit event', async (t) => {
  const clients = createClientsRepository(database.db);
  await clients.create({
    ...base,
    id: 'svc-6',
    name: 'Two secrets',
    secret: { name: 'a', secretHash: 'h1' },
  });
  await clients.addSecret('svc-6', { name: 'b', secretHash: 'h2' });
  const [b, a] = await clients.secrets('svc-6');
  const audit = (removed: { name: string }) => [
    {
      type: 'client.secret_removed' as const,
      actor: 'test',
      clientId: 'svc-6',
      details: { secret: removed.name },
    },
  ];
  const events = () => database.db('audit_events').where({ client_id: 'svc-6' });

  // Another secret's id: the name alone does not decide.
  t.is(await clients.removeSecret('svc-6', { name: 'a', id: b?.id }, { audit }), undefined);
  t.is(await clients.removeSecret('svc-6', { name: 'c' }, { audit }), undefined);
  t.is(await clients.removeSecret('no-such-client', { name: 'a' }, { audit }), undefined);
  t.is((await events()).length, 0);

  const removed = await clients.removeSecret('svc-6', { name: 'a', id: a?.id }, { audit });
  t.is(removed?.id, a?.id);
  t.deepEqual(
    (await clients.secrets('svc-6')).map((s) => s.name),
    ['b'],
  );
  t.deepEqual(
    (await events()).map((e) => [e.type, e.details]),
    [['client.secret_removed', { secret: 'a' }]],
  );
});
