import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { API, seedClient, seedResource, tokenRequest } from '../helpers.ts';
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

const PROBLEM = 'application/problem+json';

const isProblem = (
  t: { is(a: unknown, b: unknown, m?: string): void },
  reply: { response: Response; json: Record<string, unknown> },
  status: number,
  kind: string,
) => {
  t.is(reply.response.status, status);
  t.is(reply.response.headers.get('content-type')?.split(';')[0], PROBLEM);
  t.is(reply.json.type, `urn:portcullis:problem:${kind}`);
  t.is(reply.json.status, status);
};

const created = async (name: string) => {
  const reply = await adminFetch(api, '/clients', {
    token: await writer.token(),
    method: 'POST',
    body: { name, grant_types: ['client_credentials'], resources: [API], scope: 'notes:read' },
  });
  return {
    id: reply.json.client.client_id as string,
    etag: reply.response.headers.get('etag') as string,
  };
};

test('no token: 401 problem with a bare Bearer challenge, nothing done', async (t) => {
  const reply = await adminFetch(api, '/clients');
  isProblem(t, reply, 401, 'unauthorized');
  t.regex(reply.response.headers.get('www-authenticate') ?? '', /^Bearer realm="/);
  t.notRegex(reply.response.headers.get('www-authenticate') ?? '', /error=/);
  const post = await adminFetch(api, '/clients', {
    method: 'POST',
    body: { name: 'sneaky', grant_types: ['client_credentials'] },
  });
  isProblem(t, post, 401, 'unauthorized');
  const list = await adminFetch(api, '/clients', { token: await reader.token() });
  t.false(list.json.items.some((c: { name: string }) => c.name === 'sneaky'));
});

test('a bad token: 401 invalid_token', async (t) => {
  const token = await reader.token();
  const reply = await adminFetch(api, '/clients', { token: `${token.slice(0, -4)}AAAA` });
  isProblem(t, reply, 401, 'unauthorized');
  t.is(reply.json.error, 'invalid_token');
  t.regex(reply.response.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
});

test('the wrong scope: 403 insufficient_scope naming admin:write; nothing written', async (t) => {
  const reply = await adminFetch(api, '/clients', {
    token: await reader.token(),
    method: 'POST',
    body: { name: 'read-only-try', grant_types: ['client_credentials'] },
  });
  isProblem(t, reply, 403, 'forbidden');
  t.is(reply.json.error, 'insufficient_scope');
  t.regex(reply.response.headers.get('www-authenticate') ?? '', /scope="admin:write"/);
  const list = await adminFetch(api, '/clients', { token: await reader.token() });
  t.false(list.json.items.some((c: { name: string }) => c.name === 'read-only-try'));
});

test('a token with fewer scopes than the client has: only those count', async (t) => {
  const readOnly = await writer.token('admin:read');
  const reply = await adminFetch(api, '/clients', {
    token: readOnly,
    method: 'POST',
    body: { name: 'narrowed', grant_types: ['client_credentials'] },
  });
  isProblem(t, reply, 403, 'forbidden');
});

test('a token for another resource (the wrong audience): 401 invalid_token', async (t) => {
  const other = await seedClient(database, { scopes: ['notes:read', 'admin'] });
  const issued = await tokenRequest(issuer, other, {
    grant_type: 'client_credentials',
    scope: 'notes:read admin',
    resource: API,
  });
  t.is(issued.response.status, 200);
  const reply = await adminFetch(api, '/clients', { token: issued.json.access_token as string });
  isProblem(t, reply, 401, 'unauthorized');
  t.is(reply.json.error, 'invalid_token');
});

test('a client without the admin resource cannot get a token for it (invalid_target)', async (t) => {
  const other = await seedClient(database);
  const issued = await tokenRequest(issuer, other, {
    grant_type: 'client_credentials',
    scope: 'admin:read',
    resource: 'urn:portcullis:admin',
  });
  t.is(issued.response.status, 400);
  t.is(issued.json.error, 'invalid_target');
});

test('a change without If-Match: 428, nothing changed', async (t) => {
  const { id } = await created('no-if-match');
  const token = await writer.token();
  for (const [method, path, body] of [
    ['PATCH', `/clients/${id}`, { name: 'renamed' }],
    ['DELETE', `/clients/${id}`, undefined],
    ['POST', `/clients/${id}/disable`, undefined],
    ['POST', `/clients/${id}/secrets`, {}],
  ] as const) {
    const reply = await adminFetch(api, path, { token, method, body });
    isProblem(t, reply, 428, 'precondition-required');
  }
  const read = await adminFetch(api, `/clients/${id}`, { token });
  t.is(read.json.client.name, 'no-if-match');
  t.false(read.json.client.disabled);
  t.is(read.json.secrets.length, 1);
});

test('a stale ETag: 412, the other operator’s change stands', async (t) => {
  const { id, etag } = await created('two-operators');
  const token = await writer.token();
  const first = await adminFetch(api, `/clients/${id}`, {
    token,
    method: 'PATCH',
    body: { homepage: 'https://first.example.test' },
    headers: { 'if-match': etag },
  });
  t.is(first.response.status, 200);
  const second = await adminFetch(api, `/clients/${id}`, {
    token,
    method: 'PATCH',
    body: { homepage: 'https://second.example.test' },
    headers: { 'if-match': etag },
  });
  isProblem(t, second, 412, 'precondition-failed');
  const deleted = await adminFetch(api, `/clients/${id}`, {
    token,
    method: 'DELETE',
    headers: { 'if-match': etag },
  });
  isProblem(t, deleted, 412, 'precondition-failed');
  const read = await adminFetch(api, `/clients/${id}`, { token });
  t.is(read.json.client.homepage, 'https://first.example.test');
});

test('a body off the schema: 400 with a pointer per field; nothing written', async (t) => {
  const token = await writer.token();
  const reply = await adminFetch(api, '/clients', {
    token,
    method: 'POST',
    body: { name: 42, grant_types: 'client_credentials', colour: 'blue' },
  });
  isProblem(t, reply, 400, 'invalid-input');
  const pointers = (reply.json.errors as Array<{ pointer: string; detail: string }>).map(
    (e) => e.pointer,
  );
  t.true(pointers.includes('/name'));
  t.true(pointers.includes('/grant_types'));
  t.true(pointers.includes('/colour'));
  t.true(
    (reply.json.errors as Array<{ detail: string }>).some(
      (e) => e.detail === 'unknown field "colour"',
    ),
  );
  const missing = await adminFetch(api, '/clients', { token, method: 'POST', body: {} });
  isProblem(t, missing, 400, 'invalid-input');
  t.true(
    (missing.json.errors as Array<{ detail: string }>).some((e) => e.detail === 'name is required'),
  );
});

test("the service's own refusals are 400 with the CLI's message, the field named as sent", async (t) => {
  const token = await writer.token();
  const ttl = await adminFetch(api, '/clients', {
    token,
    method: 'POST',
    body: { name: 'ttl', grant_types: ['client_credentials'], access_token_ttl: '3d' },
  });
  isProblem(t, ttl, 400, 'invalid-input');
  t.is(ttl.json.detail, 'access_token_ttl must be from 1s to 1d');
  t.deepEqual(ttl.json.errors, [
    {
      field: 'access_token_ttl',
      pointer: '/access_token_ttl',
      detail: 'access_token_ttl must be from 1s to 1d',
    },
  ]);
  const redirect = await adminFetch(api, '/clients', {
    token,
    method: 'POST',
    body: {
      name: 'web',
      grant_types: ['authorization_code'],
      redirect_uris: ['https://ok.example.test/cb', 'javascript:alert(1)'],
    },
  });
  isProblem(t, redirect, 400, 'invalid-input');
  t.is(
    redirect.json.detail,
    'redirect URI "javascript:alert(1)" uses the forbidden scheme javascript:',
  );
  const grant = await adminFetch(api, '/clients', {
    token,
    method: 'POST',
    body: { name: 'no-uri', grant_types: ['authorization_code'] },
  });
  isProblem(t, grant, 400, 'invalid-input');
  t.deepEqual(grant.json.errors, [
    {
      field: 'redirect_uris',
      pointer: '/redirect_uris',
      detail: 'redirect_uris is required by the authorization_code grant',
    },
  ]);
});

test('a taken name: 409 conflict', async (t) => {
  await created('taken-name');
  const reply = await adminFetch(api, '/clients', {
    token: await writer.token(),
    method: 'POST',
    body: { name: 'TAKEN-NAME', grant_types: ['client_credentials'] },
  });
  isProblem(t, reply, 409, 'conflict');
});

test('malformed, oversized and non-JSON bodies, and bad queries: 4xx problems, never a 500', async (t) => {
  const token = await writer.token();
  const broken = await adminFetch(api, '/clients', { token, method: 'POST', body: '{"name":' });
  isProblem(t, broken, 400, 'invalid-request');
  const form = await adminFetch(api, '/clients', {
    token,
    method: 'POST',
    body: 'name=x',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  isProblem(t, form, 415, 'unsupported-media-type');
  const huge = await adminFetch(api, '/clients', {
    token,
    method: 'POST',
    body: { name: 'x'.repeat(70 * 1024), grant_types: ['client_credentials'] },
  });
  isProblem(t, huge, 413, 'payload-too-large');
  const array = await adminFetch(api, '/clients', { token, method: 'POST', body: [] });
  isProblem(t, array, 400, 'invalid-input');
  for (const query of ['limit=0', 'limit=abc', 'limit=1000', 'registered=maybe', 'colour=blue']) {
    const reply = await adminFetch(api, `/clients?${query}`, { token });
    isProblem(t, reply, 400, 'invalid-request');
    t.truthy(reply.json.errors[0].parameter, query);
  }
  const cursor = await adminFetch(api, '/clients?cursor=not-ours', { token });
  isProblem(t, cursor, 400, 'invalid-request');
  const unknown = await adminFetch(api, '/clients/nobody-by-that-name', { token });
  isProblem(t, unknown, 404, 'not-found');
});

test('two operators at once with the same ETag: exactly one change wins, the other is 412', async (t) => {
  const { id } = await created('racing');
  const token = await writer.token();
  for (let round = 0; round < 5; round += 1) {
    const read = await adminFetch(api, `/clients/${id}`, { token });
    const etag = read.response.headers.get('etag') as string;
    const replies = await Promise.all(
      ['a', 'b'].map((who) =>
        adminFetch(api, `/clients/${id}`, {
          token,
          method: 'PATCH',
          body: { homepage: `https://${who}${round}.example.test` },
          headers: { 'if-match': etag },
        }),
      ),
    );
    t.deepEqual(replies.map((r) => r.response.status).sort(), [200, 412], `round ${round}`);
    const winner = replies.find((r) => r.response.status === 200);
    const after = await adminFetch(api, `/clients/${id}`, { token });
    t.is(after.json.client.homepage, winner?.json.client.homepage);
  }
});

test("a client's own token requests (which record its last use) do not make a change fail", async (t) => {
  const reply = await adminFetch(api, '/clients', {
    token: await writer.token(),
    method: 'POST',
    body: {
      name: 'busy',
      grant_types: ['client_credentials'],
      resources: [API],
      scope: 'notes:read',
    },
  });
  const credentials = {
    clientId: reply.json.client.client_id,
    clientSecret: reply.json.client_secret,
  };
  const token = await writer.token();
  let etag = reply.response.headers.get('etag') as string;
  for (let round = 0; round < 5; round += 1) {
    const [, change] = await Promise.all([
      tokenRequest(issuer, credentials, {
        grant_type: 'client_credentials',
        scope: 'notes:read',
        resource: API,
      }),
      adminFetch(api, `/clients/${credentials.clientId}`, {
        token,
        method: 'PATCH',
        body: { homepage: `https://busy${round}.example.test` },
        headers: { 'if-match': etag },
      }),
    ]);
    t.is(change.response.status, 200, `round ${round}: ${JSON.stringify(change.json)}`);
    etag = change.response.headers.get('etag') as string;
  }
});
