import test from 'ava';
import {
  createIdentityProvidersRepository,
  createUsersRepository,
  type NewIdentityProvider,
  type StorageError,
} from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
  const users = createUsersRepository(database.db);
  await users.create({
    id: 'u-alice',
    username: 'alice',
    passwordHash: 'h',
    email: 'Alice@Example.com',
  });
  await users.create({
    id: 'u-carol',
    username: 'carol',
    passwordHash: 'h',
    email: 'alice@example.com',
  });
  await users.create({
    id: 'u-dave',
    username: 'dave',
    passwordHash: 'h',
    email: 'dave@example.com',
  });
  await users.setDisabled('u-carol', true);
});
test.after.always(async () => {
  await database?.drop();
});

const provider = (id: string, name: string): NewIdentityProvider => ({
  id,
  name,
  kind: 'oidc',
  issuer: 'https://sso.example',
  authorizationEndpoint: null,
  tokenEndpoint: null,
  apiUrl: null,
  clientId: 'portcullis',
  clientSecretEncrypted: 'v1.sealed',
  scope: 'openid email',
  jit: false,
});

test.serial(
  'create, find by id or by name in any case, list, update; a name is unique in any case',
  async (t) => {
    const idps = createIdentityProvidersRepository(database.db);
    const created = await idps.create(provider('p-1', 'Acme SSO'));
    t.like(created, { id: 'p-1', name: 'Acme SSO', kind: 'oidc', jit: false });
    t.is((await idps.find('p-1'))?.name, 'Acme SSO');
    t.is((await idps.find('acme sso'))?.id, 'p-1');
    t.is(await idps.find('nope'), undefined);
    const taken = await t.throwsAsync<StorageError>(idps.create(provider('p-2', 'ACME sso')));
    t.is(taken?.code, 'conflict');
    await idps.create(provider('p-2', 'Beta'));
    t.deepEqual(
      (await idps.list()).map((p) => p.id),
      ['p-1', 'p-2'],
    );
    const updated = await idps.update('p-2', { jit: true, scope: 'openid' });
    t.like(updated, { jit: true, scope: 'openid', name: 'Beta' });
    t.true((updated?.updatedAt as Date) >= (updated?.createdAt as Date));
    t.is(
      (await t.throwsAsync<StorageError>(idps.update('p-2', { name: 'acme SSO' })))?.code,
      'conflict',
    );
    t.is(await idps.update('gone', { jit: true }), undefined);
    const kind = await t.throwsAsync(
      database.db('identity_providers').insert({ ...row('p-x', 'X'), kind: 'saml' }),
    );
    t.regex(String(kind?.message), /identity_providers_kind_check/);
  },
);

test.serial('links: one per upstream subject, one per user and provider', async (t) => {
  const idps = createIdentityProvidersRepository(database.db);
  await idps.link('p-1', 'sub-a', 'u-alice');
  t.like(await idps.findLink('p-1', 'sub-a'), { userId: 'u-alice', providerId: 'p-1' });
  t.is(await idps.findLink('p-2', 'sub-a'), undefined, 'a subject belongs to its provider');
  t.is((await t.throwsAsync<StorageError>(idps.link('p-1', 'sub-a', 'u-dave')))?.code, 'conflict');
  t.is((await t.throwsAsync<StorageError>(idps.link('p-1', 'sub-b', 'u-alice')))?.code, 'conflict');
  await idps.link('p-2', 'sub-a', 'u-alice');
  t.is(await idps.countLinks('p-1'), 1);
  t.deepEqual(
    (await idps.linksOfUser('u-alice')).map((l) => `${l.providerId}:${l.upstreamSub}`),
    ['p-1:sub-a', 'p-2:sub-a'],
  );
  t.deepEqual(await idps.linksOfUser('u-dave'), []);
});

test.serial("unlink removes one user's link to one provider, once", async (t) => {
  const idps = createIdentityProvidersRepository(database.db);
  await idps.link('p-1', 'sub-u', 'u-dave');
  t.false(await idps.unlink('p-2', 'u-dave'), 'not linked to that provider');
  t.true(await idps.unlink('p-1', 'u-dave'));
  t.false(await idps.unlink('p-1', 'u-dave'));
  t.is(await idps.findLink('p-1', 'sub-u'), undefined);
  t.like(await idps.findLink('p-1', 'sub-a'), { userId: 'u-alice' }, "another user's stays");
});

test.serial(
  'users with an address: any case, enabled only, not yet linked to the provider',
  async (t) => {
    const idps = createIdentityProvidersRepository(database.db);
    // alice is linked to both providers by now; carol shares the address but is disabled.
    t.deepEqual(await idps.unlinkedUsersWithEmail('p-1', 'ALICE@example.com'), []);
    await database.db('identity_provider_links').where({ provider_id: 'p-1' }).delete();
    t.deepEqual(await idps.unlinkedUsersWithEmail('p-1', 'ALICE@example.com'), ['u-alice']);
    t.deepEqual(await idps.unlinkedUsersWithEmail('p-1', 'nobody@example.com'), []);
  },
);

test.serial('deleting a provider or a user deletes their links, never the users', async (t) => {
  const idps = createIdentityProvidersRepository(database.db);
  await idps.link('p-1', 'sub-d', 'u-dave');
  await createUsersRepository(database.db).delete('u-dave');
  t.is(await idps.findLink('p-1', 'sub-d'), undefined);
  t.true(await idps.delete('p-2'));
  t.false(await idps.delete('p-2'));
  t.is(await idps.findLink('p-2', 'sub-a'), undefined);
  t.truthy(await createUsersRepository(database.db).findById('u-alice'));
});

function row(id: string, name: string) {
  return {
    id,
    name,
    kind: 'oidc',
    issuer: 'https://sso.example',
    client_id: 'x',
    client_secret_encrypted: 'v1.x',
    scope: 'openid',
  };
}
