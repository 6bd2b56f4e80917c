import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { adminClient, adminFetch, startAdminServer } from './admin-fixtures.ts';

// What a console shows next to a record and a form: when a client or user was disabled
// (`disabled_at`), and which field a refusal is about (`errors[].field`).

let database: TestDatabase;
let api: string;
let close: () => Promise<void>;
let token: string;

test.before(async () => {
  database = await createTestDatabase();
  const started = await startAdminServer(database);
  ({ api } = started);
  close = () => started.server.close();
  const admin = await adminClient(database, started.url, [
    'admin:read',
    'admin:write',
    'admin:users',
  ]);
  token = await admin.token();
});
test.after.always(async () => {
  await close?.();
  await database?.drop();
});

// Disables then enables `path` (a client's or user's), checking `disabled_at` at each step.
async function disableAndEnable(
  t: import('ava').ExecutionContext,
  path: string,
  read: (json: Record<string, unknown>) => Record<string, unknown>,
) {
  const before = await adminFetch(api, path, { token });
  t.is(read(before.json).disabled_at, null);
  const off = await adminFetch(api, `${path}/disable`, {
    token,
    method: 'POST',
    headers: { 'if-match': before.response.headers.get('etag') as string },
  });
  t.is(off.response.status, 200);
  const disabledAt = read(off.json).disabled_at as string;
  t.true(Number.isFinite(Date.parse(disabledAt)), 'an RFC 3339 time');
  const shown = await adminFetch(api, path, { token });
  t.is(read(shown.json).disabled_at, disabledAt);
  t.true(read(shown.json).disabled as boolean);
  const on = await adminFetch(api, `${path}/enable`, {
    token,
    method: 'POST',
    headers: { 'if-match': shown.response.headers.get('etag') as string },
  });
  t.is(on.response.status, 200);
  t.is(read(on.json).disabled_at, null);
}

test('a client: disabled_at is the time it was disabled, null while enabled', async (t) => {
  const created = await adminFetch(api, '/clients', {
    token,
    method: 'POST',
    body: { name: 'shapes', grant_types: ['client_credentials'] },
  });
  t.is(created.json.client.disabled_at, null);
  await disableAndEnable(t, `/clients/${created.json.client.client_id}`, (json) =>
    'client' in json ? (json.client as Record<string, unknown>) : json,
  );
  const listed = await adminFetch(api, '/clients', { token });
  t.true(listed.json.items.every((c: { disabled_at: unknown }) => c.disabled_at === null));
});

test('a user: disabled_at likewise', async (t) => {
  const created = await adminFetch(api, '/users', {
    token,
    method: 'POST',
    body: { username: 'shapes', password: 'a long enough password' },
  });
  t.is(created.response.status, 201);
  t.is(created.json.disabled_at, null);
  await disableAndEnable(t, '/users/shapes', (json) => json);
});

test('refusals name their field: a body member, an item of a list, a query parameter', async (t) => {
  const body = await adminFetch(api, '/clients', {
    token,
    method: 'POST',
    body: {
      name: 'fields',
      grant_types: ['authorization_code'],
      redirect_uris: ['https://ok.example.test/cb', 'javascript:alert(1)'],
    },
  });
  t.is(body.response.status, 400);
  t.like(body.json.errors?.[0], { field: 'redirect_uris', pointer: '/redirect_uris/1' });
  const typed = await adminFetch(api, '/clients', {
    token,
    method: 'POST',
    body: { name: 7, grant_types: ['client_credentials'] },
  });
  t.like(typed.json.errors?.[0], { field: 'name', pointer: '/name' });
  const query = await adminFetch(api, '/clients?limit=0', { token });
  t.is(query.response.status, 400);
  t.like(query.json.errors?.[0], { field: 'limit', parameter: 'limit' });
});
