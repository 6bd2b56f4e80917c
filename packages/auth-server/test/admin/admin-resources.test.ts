import { createAuditRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { tokenRequest } from '../helpers.ts';
import { adminClient, adminFetch, startAdminServer } from './admin-fixtures.ts';

let database: TestDatabase;
let api: string;
let issuer: string;
let close: () => Promise<void>;
let writer: Awaited<ReturnType<typeof adminClient>>;
let reader: Awaited<ReturnType<typeof adminClient>>;

test.before(async () => {
  database = await createTestDatabase();
  const started = await startAdminServer(database);
  ({ api } = started);
  issuer = started.url;
  close = () => started.server.close();
  writer = await adminClient(database, issuer, ['admin:read', 'admin:write']);
  reader = await adminClient(database, issuer, ['admin:read']);
});
test.after.always(async () => {
  await close?.();
  await database?.drop();
});

const path = (identifier: string) => `/resources/${encodeURIComponent(identifier)}`;

test('register a resource, give a client its scope, change and delete it (force), each audited with the calling client', async (t) => {
  const token = await writer.token();
  const identifier = 'https://billing.example.test/api';
  const created = await adminFetch(api, '/resources', {
    token,
    method: 'POST',
    body: {
      identifier,
      name: 'Billing',
      scopes: [{ name: 'invoices:read', description: 'Read invoices' }],
      access_token_ttl: '5m',
    },
  });
  t.is(created.response.status, 201);
  t.is(created.json.access_token_ttl, 300);
  t.is(created.response.headers.get('location'), `/admin/v1${path(identifier)}`);

  // The resource is real: a client allowed it gets a token for it from /token.
  const service = await adminFetch(api, '/clients', {
    token,
    method: 'POST',
    body: {
      name: 'billing-worker',
      grant_types: ['client_credentials'],
      resources: [identifier],
      scope: 'invoices:read',
    },
  });
  t.is(service.response.status, 201);
  const issued = await tokenRequest(
    issuer,
    { clientId: service.json.client.client_id, clientSecret: service.json.client_secret },
    { grant_type: 'client_credentials', scope: 'invoices:read', resource: identifier },
  );
  t.is(issued.response.status, 200);

  const read = await adminFetch(api, path(identifier), { token: await reader.token() });
  t.is(read.response.status, 200);
  t.deepEqual(read.json.clients, [
    { client_id: service.json.client.client_id, name: 'billing-worker' },
  ]);
  const etag = read.response.headers.get('etag') as string;
  t.is(etag, created.response.headers.get('etag') as string);

  const updated = await adminFetch(api, path(identifier), {
    token,
    method: 'PATCH',
    body: { put_scopes: [{ name: 'invoices:write', description: 'Write invoices' }] },
    headers: { 'if-match': etag },
  });
  t.is(updated.response.status, 200);
  t.deepEqual(updated.json.resource.scopes.map((s: { name: string }) => s.name).sort(), [
    'invoices:read',
    'invoices:write',
  ]);
  const stale = await adminFetch(api, path(identifier), {
    token,
    method: 'DELETE',
    headers: { 'if-match': etag },
  });
  t.is(stale.response.status, 412);
  const fresh = updated.response.headers.get('etag') as string;
  const held = await adminFetch(api, path(identifier), {
    token,
    method: 'DELETE',
    headers: { 'if-match': fresh },
  });
  t.is(held.response.status, 409, 'a client is allowed it');
  t.is(held.json.type, 'urn:portcullis:problem:conflict');
  t.regex(held.json.detail, /take it off them first/);
  const deleted = await adminFetch(api, `${path(identifier)}?force=true`, {
    token,
    method: 'DELETE',
    headers: { 'if-match': fresh },
  });
  t.is(deleted.response.status, 200);
  t.deepEqual(deleted.json.detached_clients, [service.json.client.client_id]);
  t.is((await adminFetch(api, path(identifier), { token })).response.status, 404);

  const events = (await createAuditRepository(database.db).list({ limit: 500 }))
    .filter((e) => e.details.resource === identifier)
    .map((e) => [e.type, e.actor]);
  const actor = `client:${writer.clientId}`;
  for (const type of ['resource.created', 'resource.updated', 'resource.deleted']) {
    t.true(
      events.some(([eventType, eventActor]) => eventType === type && eventActor === actor),
      type,
    );
  }
});

test('refusals: scope, If-Match, the schema and the service, as problems with pointers', async (t) => {
  const read = await reader.token();
  const denied = await adminFetch(api, '/resources', {
    token: read,
    method: 'POST',
    body: { identifier: 'https://x.example.test', name: 'X' },
  });
  t.is(denied.response.status, 403);
  const token = await writer.token();
  const offSchema = await adminFetch(api, '/resources', {
    token,
    method: 'POST',
    body: { identifier: 'https://x.example.test', name: 'X', scopes: [{ name: 'a' }] },
  });
  t.is(offSchema.response.status, 400);
  t.deepEqual(offSchema.json.errors, [
    {
      field: 'scopes',
      pointer: '/scopes/0/description',
      detail: 'scopes/0/description is required',
    },
  ]);
  const http = await adminFetch(api, '/resources', {
    token,
    method: 'POST',
    body: { identifier: 'ftp://x.example.test', name: 'X' },
  });
  t.is(http.response.status, 400);
  t.is(http.json.detail, 'resource "ftp://x.example.test" must be an http or https URI');
  const ttl = await adminFetch(api, '/resources', {
    token,
    method: 'POST',
    body: { identifier: 'https://y.example.test', name: 'Y', access_token_ttl: '2d' },
  });
  t.is(ttl.response.status, 400);
  t.is(ttl.json.errors[0].pointer, '/access_token_ttl');
  t.is(
    ttl.json.detail,
    'the access-token lifetime must be from 1 second to 1 day (like 600, 15m or 1h), got "2d"',
  );

  const created = await adminFetch(api, '/resources', {
    token,
    method: 'POST',
    body: { identifier: 'https://z.example.test', name: 'Z' },
  });
  const noIfMatch = await adminFetch(api, path('https://z.example.test'), {
    token,
    method: 'PATCH',
    body: { name: 'Zed' },
  });
  t.is(noIfMatch.response.status, 428);
  const unknownScope = await adminFetch(api, path('https://z.example.test'), {
    token,
    method: 'PATCH',
    body: { remove_scopes: ['nope'] },
    headers: { 'if-match': created.response.headers.get('etag') as string },
  });
  t.is(unknownScope.response.status, 400);
  t.is(unknownScope.json.errors[0].pointer, '/remove_scopes');
  const list = await adminFetch(api, '/resources?limit=1', { token: read });
  t.is(list.response.status, 200);
  t.is(list.json.items.length, 1);
  t.truthy(list.json.next_cursor);
});
