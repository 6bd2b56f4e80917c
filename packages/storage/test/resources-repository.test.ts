import test from 'ava';
import {
  type ChangeListener,
  createResourcesRepository,
  listenForChanges,
  type StorageError,
} from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const repo = () => createResourcesRepository(database.db);

test.serial(
  'update changes fields and scopes in one go, and records its audit event',
  async (t) => {
    await repo().create({
      identifier: 'https://u.example',
      name: 'U',
      scopes: [
        { name: 'a', description: 'A' },
        { name: 'b', description: 'B' },
      ],
    });
    const updated = await repo().update(
      'https://u.example',
      {
        name: 'U2',
        accessTokenTtl: 900,
        accessTokenFormat: 'opaque',
        introspectionClients: ['rs-client'],
        putScopes: [
          { name: 'a', description: 'A, described again' },
          { name: 'c', description: 'C' },
        ],
        removeScopes: ['b'],
      },
      { audit: [{ type: 'resource.updated', actor: 'cli:test' }] },
    );
    t.like(updated, {
      name: 'U2',
      accessTokenTtl: 900,
      accessTokenFormat: 'opaque',
      introspectionClients: ['rs-client'],
    });
    t.deepEqual(updated?.scopes, [
      { name: 'a', description: 'A, described again' },
      { name: 'c', description: 'C' },
    ]);
    t.deepEqual(await database.db('audit_events').pluck('type'), ['resource.updated']);
    t.is(await repo().update('https://missing.example', { name: 'x' }), undefined);
  },
);

test.serial('an update that breaks a constraint changes nothing', async (t) => {
  await repo().create({ identifier: 'https://v.example', name: 'V', scopes: [] });
  const error = await t.throwsAsync<StorageError>(
    repo().update('https://v.example', {
      name: 'u2',
      putScopes: [{ name: 'z', description: 'Z' }],
    }),
  );
  t.is(error?.code, 'conflict');
  t.like(await repo().find('https://v.example'), { name: 'V', scopes: [] });
});

test.serial('delete refuses while clients are allowed the resource, unless forced', async (t) => {
  const { db } = database;
  await repo().create({ identifier: 'https://d.example', name: 'D', scopes: [] });
  await db('clients').insert({
    id: 'c1',
    name: 'uses-d',
    grant_types: ['client_credentials'],
    resources: ['https://d.example', 'https://u.example'],
  });
  await db('oidc_artifacts').insert([
    {
      model: 'AccessToken',
      id: 't1',
      payload: JSON.stringify({ aud: 'https://d.example', clientId: 'c1' }),
    },
    {
      model: 'AccessToken',
      id: 't2',
      payload: JSON.stringify({ aud: 'https://u.example', clientId: 'c1' }),
    },
  ]);
  const refused = await t.throwsAsync<StorageError>(repo().delete('https://d.example'));
  t.is(refused?.code, 'conflict');
  t.regex(refused?.message ?? '', /1 client\(s\).*uses-d/);
  t.truthy(await repo().find('https://d.example'));

  const changes: string[] = [];
  let listener: ChangeListener | undefined;
  await new Promise<void>((resolve) => {
    listener = listenForChanges(database.url, {
      onChange: (change) => changes.push(`${change.kind}:${change.id}`),
      onConnected: resolve,
    });
  });
  const deleted = await repo().delete('https://d.example', { force: true });
  t.deepEqual(deleted?.detachedClients, ['c1']);
  t.is(deleted?.revokedTokens, 1);
  t.is(await repo().find('https://d.example'), undefined);
  t.deepEqual((await db('clients').where({ id: 'c1' }).first('resources')).resources, [
    'https://u.example',
  ]);
  t.deepEqual(await db('oidc_artifacts').pluck('id'), ['t2']);
  while (changes.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
  t.deepEqual(changes.sort(), ['client:c1', 'resource:https://d.example']);
  await listener?.close();
  t.is(await repo().delete('https://d.example'), undefined);
});

test.serial(
  'clients lose scopes no resource of theirs defines any more; others stay',
  async (t) => {
    const { db } = database;
    await repo().create({
      identifier: 'https://t1.example',
      name: 'T1',
      scopes: [
        { name: 'shared', description: 'S' },
        { name: 'only-t1', description: 'O' },
        { name: 'gone', description: 'G' },
      ],
    });
    await repo().create({
      identifier: 'https://t2.example',
      name: 'T2',
      scopes: [{ name: 'shared', description: 'S' }],
    });
    await db('clients').insert({
      id: 'trim-1',
      name: 'trim-1',
      grant_types: ['authorization_code'],
      resources: ['https://t1.example', 'https://t2.example'],
      scopes: ['openid', 'shared', 'only-t1', 'gone'],
    });
    const scopes = async () => (await db('clients').where({ id: 'trim-1' }).first('scopes')).scopes;

    await repo().update(
      'https://t1.example',
      { removeScopes: ['gone'] },
      { keepScopes: ['openid'] },
    );
    t.deepEqual(await scopes(), ['openid', 'shared', 'only-t1']);

    await repo().delete('https://t1.example', { force: true, keepScopes: ['openid'] });
    t.deepEqual(await scopes(), ['openid', 'shared'], 'shared still comes from T2');
  },
);
