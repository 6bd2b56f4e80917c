import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { API, seedResource, tokenRequest } from '../helpers.ts';
import { adminClient, adminFetch, startAdminServer } from './admin-fixtures.ts';

let database: TestDatabase;
let api: string;
let issuer: string;
let close: () => Promise<void>;
let writer: Awaited<ReturnType<typeof adminClient>>;

test.before(async () => {
  database = await createTestDatabase();
  await seedResource(database);
  const started = await startAdminServer(database);
  ({ api } = started);
  issuer = started.url;
  close = () => started.server.close();
  writer = await adminClient(database, issuer, ['admin:read', 'admin:write']);
});
test.after.always(async () => {
  await close?.();
  await database?.drop();
});

const grant = { grant_type: 'client_credentials', scope: 'notes:read', resource: API };

// Asks the token endpoint until it answers `status` (5 s at most: servers hear of a change by
// LISTEN/NOTIFY); returns the last status.
async function tokenStatus(
  credentials: { clientId: string; clientSecret: string },
  status: number,
) {
  const started = Date.now();
  let last = 0;
  do {
    last = (await tokenRequest(issuer, credentials, grant)).response.status;
  } while (last !== status && Date.now() - started < 5000);
  return last;
}

test('rotate a secret (shown once, the old one expiring at once with keep_old 0), then remove the old one', async (t) => {
  const token = await writer.token();
  const created = await adminFetch(api, '/clients', {
    token,
    method: 'POST',
    body: {
      name: 'rotating',
      grant_types: ['client_credentials'],
      resources: [API],
      scope: 'notes:read',
    },
  });
  const clientId = created.json.client.client_id as string;
  const first = { clientId, clientSecret: created.json.client_secret as string };

  const rotated = await adminFetch(api, `/clients/${clientId}/secrets`, {
    token,
    method: 'POST',
    body: { keep_old: 0, name: 'second' },
    headers: { 'if-match': created.response.headers.get('etag') as string },
  });
  t.is(rotated.response.status, 201);
  t.is(rotated.json.secret.name, 'second');
  t.deepEqual(
    rotated.json.expiring.map((s: { name: string }) => s.name),
    ['initial'],
  );
  const second = { clientId, clientSecret: rotated.json.client_secret as string };
  t.is(await tokenStatus(second, 200), 200, 'the new secret works');
  t.is(await tokenStatus(first, 401), 401, 'the old one expired at once');

  const read = await adminFetch(api, `/clients/${clientId}`, { token });
  t.is(read.response.headers.get('etag'), rotated.response.headers.get('etag'));
  t.true(read.json.secrets.find((s: { name: string }) => s.name === 'initial').expired);

  const removed = await adminFetch(api, `/clients/${clientId}/secrets/initial`, {
    token,
    method: 'DELETE',
    headers: { 'if-match': read.response.headers.get('etag') as string },
  });
  t.is(removed.response.status, 200);
  t.is(removed.json.name, 'initial');
  const after = await adminFetch(api, `/clients/${clientId}`, { token });
  t.deepEqual(
    after.json.secrets.map((s: { name: string }) => s.name),
    ['second'],
  );
  t.false(JSON.stringify(after.json).includes(second.clientSecret), 'never shown again');
});

test("a public client's secrets: 400 problem; an unknown secret: 404", async (t) => {
  const token = await writer.token();
  const created = await adminFetch(api, '/clients', {
    token,
    method: 'POST',
    body: {
      name: 'public-app',
      grant_types: ['authorization_code'],
      redirect_uris: ['https://app.example.test/cb'],
      public: true,
    },
  });
  t.is(created.response.status, 201);
  t.false('client_secret' in created.json);
  const etag = created.response.headers.get('etag') as string;
  const id = created.json.client.client_id as string;
  const rotate = await adminFetch(api, `/clients/${id}/secrets`, {
    token,
    method: 'POST',
    headers: { 'if-match': etag },
  });
  t.is(rotate.response.status, 400);
  t.is(rotate.json.type, 'urn:portcullis:problem:invalid-input');

  const confidential = await adminFetch(api, '/clients', {
    token,
    method: 'POST',
    body: { name: 'one-secret', grant_types: ['client_credentials'] },
  });
  const unknown = await adminFetch(
    api,
    `/clients/${confidential.json.client.client_id}/secrets/nope`,
    {
      token,
      method: 'DELETE',
      headers: { 'if-match': confidential.response.headers.get('etag') as string },
    },
  );
  t.is(unknown.response.status, 404);
  t.is(unknown.json.detail, 'client "one-secret" has no secret named "nope"');
});

test('pages: limit and an opaque cursor walk every client once, in name order', async (t) => {
  const token = await writer.token();
  for (const name of ['page-e', 'page-a', 'Page-c', 'page-b', 'page-d']) {
    const reply = await adminFetch(api, '/clients', {
      token,
      method: 'POST',
      body: { name, grant_types: ['client_credentials'] },
    });
    t.is(reply.response.status, 201);
  }
  const all = (await adminFetch(api, '/clients?limit=200', { token })).json.items.map(
    (c: { name: string }) => c.name,
  );
  const walked: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await adminFetch(api, `/clients?limit=2${query}`, { token });
    t.is(page.response.status, 200);
    t.true(page.json.items.length <= 2);
    walked.push(...page.json.items.map((c: { name: string }) => c.name));
    cursor = page.json.next_cursor;
    pages += 1;
  } while (cursor && pages < 50);
  t.deepEqual(walked, all);
  t.is(new Set(walked).size, walked.length);
  const names = walked.filter((n) => n.toLowerCase().startsWith('page-'));
  t.deepEqual(names, ['page-a', 'page-b', 'Page-c', 'page-d', 'page-e']);
  const dynamic = await adminFetch(api, '/clients?registered=dynamic', { token });
  t.deepEqual(dynamic.json.items, []);
});
