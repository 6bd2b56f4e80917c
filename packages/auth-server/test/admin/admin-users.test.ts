import { createAuditRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { createRolesService, createUsersService } from '../../src/index.ts';
import { API, seedResource } from '../helpers.ts';
import { adminClient, adminFetch, startAdminServer } from './admin-fixtures.ts';

let database: TestDatabase;
let api: string;
let close: () => Promise<void>;
let operator: Awaited<ReturnType<typeof adminClient>>;
let reader: Awaited<ReturnType<typeof adminClient>>;

test.before(async () => {
  database = await createTestDatabase();
  await seedResource(database);
  const started = await startAdminServer(database);
  ({ api } = started);
  close = () => started.server.close();
  operator = await adminClient(database, started.url, ['admin:users']);
  reader = await adminClient(database, started.url, ['admin:read', 'admin:write']);
  await createRolesService(database.db).create({
    name: 'notes-admin',
    scopes: [`${API} admin`],
  });
});
test.after.always(async () => {
  await close?.();
  await database?.drop();
});

test('create a user, change the address and the password, give and take a role, disable, enable, delete: audited with the calling client', async (t) => {
  const token = await operator.token();
  const created = await adminFetch(api, '/users', {
    token,
    method: 'POST',
    body: { username: 'alice', password: 'correct horse battery', email: 'alice@example.test' },
  });
  t.is(created.response.status, 201);
  t.is(created.json.username, 'alice');
  t.false(JSON.stringify(created.json).includes('correct horse'), 'no password shown');
  const id = created.json.id as string;
  t.is(created.response.headers.get('location'), `/admin/v1/users/${id}`);
  let etag = created.response.headers.get('etag') as string;

  const step = async (method: string, path: string, body?: unknown) => {
    const reply = await adminFetch(api, path, {
      token,
      method,
      body,
      headers: { 'if-match': etag },
    });
    t.is(reply.response.status, method === 'DELETE' && path === `/users/${id}` ? 204 : 200, path);
    etag = reply.response.headers.get('etag') as string;
    return reply;
  };
  const updated = await step('PATCH', `/users/${id}`, { email: 'alice@new.example.test' });
  t.is(updated.json.email, 'alice@new.example.test');
  t.false(updated.json.email_verified);
  await step('PUT', `/users/${id}/password`, { password: 'a new long passphrase' });
  const users = createUsersService(database.db);
  t.truthy(await users.authenticate('alice', 'a new long passphrase'), 'the new password works');
  t.falsy(await users.authenticate('alice', 'correct horse battery'));
  const withRole = await step('POST', `/users/${id}/roles`, { role: 'notes-admin' });
  t.deepEqual(withRole.json.roles, ['notes-admin']);
  const withoutRole = await step('DELETE', `/users/${id}/roles/notes-admin`);
  t.deepEqual(withoutRole.json.roles, []);
  t.true((await step('POST', `/users/alice/disable`)).json.disabled);
  t.false((await step('POST', `/users/alice/enable`)).json.disabled);
  const unlocked = await adminFetch(api, '/users/alice/unlock', { token, method: 'POST' });
  t.is(unlocked.response.status, 200);
  t.deepEqual(unlocked.json, { username: 'alice', user_id: id, failures_cleared: 0 });
  await step('DELETE', `/users/${id}`);
  t.is((await adminFetch(api, `/users/${id}`, { token })).response.status, 404);

  const actor = `client:${operator.clientId}`;
  const events = (await createAuditRepository(database.db).list({ limit: 500 })).filter(
    (e) => e.actor === actor,
  );
  for (const type of [
    'user.created',
    'user.updated',
    'user.disabled',
    'user.enabled',
    'user.unlocked',
    'user.deleted',
  ]) {
    t.true(
      events.some((e) => e.type === type),
      type,
    );
  }
});

test('users are personal data: admin:read and admin:write do not reach them; bad input and stale versions are problems', async (t) => {
  const other = await reader.token();
  for (const [method, path] of [
    ['GET', '/users'],
    ['GET', '/users/anyone'],
    ['POST', '/users/anyone/unlock'],
  ] as const) {
    const reply = await adminFetch(api, path, { token: other, method });
    t.is(reply.response.status, 403, path);
    t.is(reply.json.error, 'insufficient_scope');
  }
  const token = await operator.token();
  const short = await adminFetch(api, '/users', {
    token,
    method: 'POST',
    body: { username: 'bob', password: 'short' },
  });
  t.is(short.response.status, 400);
  t.deepEqual(short.json.errors, [
    {
      field: 'password',
      pointer: '/password',
      detail: 'the password must be 8 to 1024 characters',
    },
  ]);
  const missing = await adminFetch(api, '/users', {
    token,
    method: 'POST',
    body: { username: 'bob' },
  });
  t.is(missing.response.status, 400);
  t.is(missing.json.errors[0].pointer, '/password');
  const bob = await adminFetch(api, '/users', {
    token,
    method: 'POST',
    body: { username: 'bob', password: 'long enough password' },
  });
  const taken = await adminFetch(api, '/users', {
    token,
    method: 'POST',
    body: { username: 'BOB', password: 'long enough password' },
  });
  t.is(taken.response.status, 409);
  const etag = bob.response.headers.get('etag') as string;
  t.is(
    (await adminFetch(api, '/users/bob/disable', { token, method: 'POST' })).response.status,
    428,
  );
  const first = await adminFetch(api, '/users/bob', {
    token,
    method: 'PATCH',
    body: { email: 'bob@example.test' },
    headers: { 'if-match': etag },
  });
  t.is(first.response.status, 200);
  const stale = await adminFetch(api, '/users/bob/disable', {
    token,
    method: 'POST',
    headers: { 'if-match': etag },
  });
  t.is(stale.response.status, 412);
  t.false((await adminFetch(api, '/users/bob', { token })).json.disabled);
  const noRole = await adminFetch(api, '/users/bob/roles', {
    token,
    method: 'POST',
    body: { role: 'no-such-role' },
    headers: { 'if-match': first.response.headers.get('etag') as string },
  });
  // An unknown role is a bad body (400), pointing at its member for a form; not a missing path.
  t.is(noRole.response.status, 400);
  t.like(noRole.json, {
    type: 'urn:portcullis:problem:invalid-input',
    detail: 'no role "no-such-role"',
    errors: [{ field: 'role', pointer: '/role', detail: 'no role "no-such-role"' }],
  });
  const page = await adminFetch(api, '/users?limit=1', { token });
  t.is(page.response.status, 200);
  t.is(page.json.items.length, 1);
});
