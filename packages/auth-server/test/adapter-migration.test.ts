import { randomBytes } from 'node:crypto';
import {
  createArtifactsRepository,
  createClientsRepository,
  migrateLatest,
} from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { createAdapterClass } from '../src/provider/adapter.ts';
import { createClientRegistry } from '../src/registry/client-registry.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

test('artifacts stored before migration 0009 are found, consumed and revoked after it', async (t) => {
  // Written as the adapter did before 0009: under their own value, with it in the payload.
  await database.db('portcullis_migrations').where({ name: '0009-hashed-artifact-ids' }).delete();
  const artifacts = createArtifactsRepository(database.db);
  const now = Math.floor(Date.now() / 1000);
  const common = { iat: now, exp: now + 600, clientId: 'app', accountId: 'alice' };
  const old = [
    ['Grant', 'grant-old', { ...common, kind: 'Grant', jti: 'grant-old' }],
    ['Session', 'session-old', { ...common, kind: 'Session', jti: 'session-old', uid: 'uid-old' }],
    [
      'RefreshToken',
      'refresh-old',
      { ...common, kind: 'RefreshToken', jti: 'refresh-old', grantId: 'grant-old' },
    ],
    [
      'AccessToken',
      'access-old',
      { ...common, kind: 'AccessToken', jti: 'access-old', grantId: 'grant-old' },
    ],
    ['Interaction', 'interaction-old', { ...common, kind: 'Interaction', jti: 'interaction-old' }],
  ] as const;
  for (const [model, id, payload] of old) await artifacts.upsert(model, id, { ...payload }, 600);
  t.deepEqual(await migrateLatest(database.db), ['0009-hashed-artifact-ids']);

  const Adapter = createAdapterClass({
    artifacts,
    clients: createClientRegistry({ clients: createClientsRepository(database.db) }),
    userCodeSecret: randomBytes(32),
  });
  for (const [model, id, payload] of old.slice(0, 4)) {
    t.deepEqual(await new Adapter(model).find(id), payload, `${model} found by its value`);
  }
  t.like(await new Adapter('Session').findByUid('uid-old'), { accountId: 'alice' });
  t.is(
    await new Adapter('Interaction').find('interaction-old'),
    undefined,
    'sign-ins in progress start again',
  );
  const ids = await database.db('oidc_artifacts').pluck('id');
  for (const value of ['session-old', 'refresh-old', 'access-old']) t.false(ids.includes(value));

  await new Adapter('RefreshToken').consume('refresh-old');
  t.is(typeof (await new Adapter('RefreshToken').find('refresh-old'))?.consumed, 'number');
  await new Adapter('RefreshToken').revokeByGrantId('grant-old');
  t.is(await new Adapter('AccessToken').find('access-old'), undefined);
});
