import test from 'ava';
import {
  createResourcesRepository,
  createRolesRepository,
  createUsersRepository,
  type StorageError,
} from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

// The roles repository on its own database: names unique in any case, what a user holds on one
// resource, and what is deleted with a user, a role, a scope or a resource.

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const api = (n: number) => `https://api-${n}.example`;

async function setUp(n: number) {
  const db = database.db;
  await createResourcesRepository(db).create({
    identifier: api(n),
    name: `API ${n}`,
    scopes: [
      { name: 'read', description: 'Read' },
      { name: 'admin', description: 'Administer' },
    ],
    roleGatedScopes: ['admin'],
    rolesClaim: true,
  });
  await createUsersRepository(db).create({
    id: `u-${n}`,
    username: `user-${n}`,
    passwordHash: 'h',
  });
  const roles = createRolesRepository(db);
  await roles.create({
    name: `Admin-${n}`,
    description: '',
    scopes: [{ resource: api(n), scope: 'admin' }],
  });
  await roles.create({
    name: `reader-${n}`,
    description: '',
    scopes: [{ resource: api(n), scope: 'read' }],
  });
  return roles;
}

test('a resource keeps its gated scopes and claim; names are unique in any case', async (t) => {
  const roles = await setUp(1);
  t.like(await createResourcesRepository(database.db).find(api(1)), {
    roleGatedScopes: ['admin'],
    rolesClaim: true,
  });
  const error = await t.throwsAsync<StorageError>(
    roles.create({ name: 'ADMIN-1', description: '', scopes: [] }),
  );
  t.is(error?.code, 'conflict');
  t.is((await roles.find('admin-1'))?.name, 'Admin-1', 'found in any case');
});

test('onResource: only the roles that hold scopes of that resource', async (t) => {
  const roles = await setUp(2);
  await setUp(3);
  t.true(await roles.addUser('u-2', 'Admin-2'));
  t.false(await roles.addUser('u-2', 'Admin-2'), 'a second add changes nothing');
  t.true(await roles.addUser('u-2', 'reader-3'));
  t.deepEqual(await roles.onResource('u-2', api(2)), { roles: ['Admin-2'], scopes: ['admin'] });
  t.deepEqual(await roles.onResource('u-2', api(3)), { roles: ['reader-3'], scopes: ['read'] });
  t.deepEqual(await roles.ofUser('u-2'), ['Admin-2', 'reader-3']);
  t.true(await roles.removeUser('u-2', 'reader-3'));
  t.false(await roles.removeUser('u-2', 'reader-3'));
});

test('deleting a user, a scope, a resource or a role takes what hangs on it', async (t) => {
  const roles = await setUp(4);
  await roles.addUser('u-4', 'Admin-4');
  await roles.addUser('u-4', 'reader-4');

  await createResourcesRepository(database.db).update(api(4), { removeScopes: ['admin'] });
  t.deepEqual((await roles.find('Admin-4'))?.scopes, [], 'the scope left the role');
  t.deepEqual(await roles.onResource('u-4', api(4)), { roles: ['reader-4'], scopes: ['read'] });

  const deleted = await roles.delete('reader-4');
  t.deepEqual(deleted?.users, ['u-4']);
  t.deepEqual(await roles.ofUser('u-4'), ['Admin-4']);

  await createUsersRepository(database.db).delete('u-4');
  t.deepEqual(await roles.users('Admin-4'), []);

  await roles.update('Admin-4', { scopes: [{ resource: api(4), scope: 'read' }] });
  await createResourcesRepository(database.db).delete(api(4));
  t.deepEqual((await roles.find('Admin-4'))?.scopes, [], 'the resource took its scopes along');
});
