import { createAuditRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { API, seedResource, tokenRequest } from '../helpers.ts';
import { adminClient, adminFetch, startAdminServer } from './admin-fixtures.ts';

let database: TestDatabase;
let api: string;
let issuer: string;
let close: () => Promise<void>;
let writer: Awaited<ReturnType<typeof adminClient>>;
let reader: Awaited<ReturnType<typeof adminClient>>;

test.before(async () => {
  database = await createTestDatabase();
  await seedResource(database);
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

const newClient = (name: string) => ({
  name,
  grant_types: ['client_credentials'],
  resources: [API],
  scope: 'notes:read',
  first_party: true,
});

test('create, read, update, disable, enable and delete a client, each audited with the calling client as actor', async (t) => {
  const token = await writer.token();
  const created = await adminFetch(api, '/clients', {
    token,
    method: 'POST',
    body: newClient('billing'),
  });
  t.is(created.response.status, 201);
  t.is(created.json.client.name, 'billing');
  t.regex(created.json.client_secret, /^.{40,}$/);
  const id = created.json.client.client_id as string;
  t.is(created.response.headers.get('location'), `/admin/v1/clients/${id}`);
  t.truthy(created.response.headers.get('etag'));

  // The secret works at the token endpoint: a real client, really registered.
  const issued = await tokenRequest(
    issuer,
    { clientId: id, clientSecret: created.json.client_secret },
    { grant_type: 'client_credentials', scope: 'notes:read', resource: API },
  );
  t.is(issued.response.status, 200);

  const read = await adminFetch(api, `/clients/${id}`, { token });
  t.is(read.response.status, 200);
  t.is(read.json.client.client_id, id);
  t.is(read.json.secrets.length, 1);
  t.is(read.json.secrets[0].name, 'initial');
  t.false('secret_hash' in read.json.secrets[0]);
  const etag = read.response.headers.get('etag') as string;
  t.is(etag, created.response.headers.get('etag') as string);
  // admin:read alone reads it too, with the same version.
  const readOnly = await adminFetch(api, `/clients/${id}`, { token: await reader.token() });
  t.is(readOnly.response.status, 200);
  t.is(readOnly.response.headers.get('etag'), etag);

  const updated = await adminFetch(api, `/clients/${id}`, {
    token,
    method: 'PATCH',
    body: { access_token_ttl: '5m', homepage: 'https://billing.example.test' },
    headers: { 'if-match': etag },
  });
  t.is(updated.response.status, 200);
  t.deepEqual(updated.json.changed, ['homepage', 'access_token_ttl']);
  t.is(updated.json.client.access_token_ttl, 300);
  const etag2 = updated.response.headers.get('etag') as string;
  t.not(etag2, etag);

  const disabled = await adminFetch(api, `/clients/${id}/disable`, {
    token,
    method: 'POST',
    headers: { 'if-match': etag2 },
  });
  t.is(disabled.response.status, 200);
  t.true(disabled.json.disabled);
  // Running servers hear of it by LISTEN/NOTIFY: ask until refused (5 s at most, not timed).
  const disabledAt = Date.now();
  let status = 200;
  while (status === 200 && Date.now() - disabledAt < 5000) {
    status = (
      await tokenRequest(
        issuer,
        { clientId: id, clientSecret: created.json.client_secret },
        { grant_type: 'client_credentials', scope: 'notes:read', resource: API },
      )
    ).response.status;
  }
  t.is(status, 401, 'the disabled client is refused');

  const enabled = await adminFetch(api, `/clients/${id}/enable`, {
    token,
    method: 'POST',
    headers: { 'if-match': disabled.response.headers.get('etag') as string },
  });
  t.is(enabled.response.status, 200);
  t.false(enabled.json.disabled);

  const deleted = await adminFetch(api, `/clients/${id}`, {
    token,
    method: 'DELETE',
    headers: { 'if-match': enabled.response.headers.get('etag') as string },
  });
  t.is(deleted.response.status, 204);
  const gone = await adminFetch(api, `/clients/${id}`, { token });
  t.is(gone.response.status, 404);
  t.is(gone.json.type, 'urn:portcullis:problem:not-found');

  const events = (await createAuditRepository(database.db).list({ clientId: id })).map((event) => [
    event.type,
    event.actor,
  ]);
  const actor = `client:${writer.clientId}`;
  for (const type of [
    'client.created',
    'client.secret_added',
    'client.updated',
    'client.disabled',
    'client.enabled',
    'client.deleted',
  ]) {
    t.true(
      events.some(([eventType, eventActor]) => eventType === type && eventActor === actor),
      type,
    );
  }
});
