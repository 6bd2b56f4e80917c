import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { createAdminApi } from '../../src/admin/admin-api.ts';
import { adminOperations, routePath } from '../../src/admin/admin-routes.ts';
import { OPENAPI_DOCUMENT } from '../../src/admin/openapi.ts';
import { createAdminValidator } from '../../src/admin/schema-validator.ts';
import { createRolesService, silentLogger } from '../../src/index.ts';
import { API, seedClient, seedResource, startAuthServer } from '../helpers.ts';
import { adminClient, adminFetch, startAdminServer } from './admin-fixtures.ts';

let database: TestDatabase;
let api: string;
let issuer: string;
let close: () => Promise<void>;

test.before(async () => {
  database = await createTestDatabase();
  await seedResource(database);
  const started = await startAdminServer(database);
  ({ api } = started);
  issuer = started.url;
  close = () => started.server.close();
});
test.after.always(async () => {
  await close?.();
  await database?.drop();
});

const keyEncryptionKey = randomBytes(32);
const environment = { env: {}, dataDir: 'no-data' };
const operationsConfig = () =>
  ({ issuer, keyEncryptionKey, mode: 'development', environment }) as const;

const METHODS = ['get', 'post', 'patch', 'delete', 'put'] as const;

// Every operation of the document: `METHOD /path` → its operationId and scope.
function documented() {
  const found = new Map<string, { operationId: string; scope: string | undefined }>();
  for (const [path, item] of Object.entries(OPENAPI_DOCUMENT.paths)) {
    for (const method of METHODS) {
      const operation = (item as Record<string, unknown>)[method] as
        | { operationId: string; security: Array<Record<string, string[]>> }
        | undefined;
      if (!operation) continue;
      found.set(`${method.toUpperCase()} ${path}`, {
        operationId: operation.operationId,
        scope: operation.security[0]?.portcullis?.[0],
      });
    }
  }
  return found;
}

test('every route is in the document and every documented operation is a route, with its scope', (t) => {
  const routes = new Map(
    adminOperations(operationsConfig()).map((o) => [
      `${o.method} ${o.path}`,
      { operationId: o.operationId, scope: o.scope },
    ]),
  );
  t.deepEqual([...routes.keys()].sort(), [...documented().keys()].sort());
  for (const [key, route] of routes) t.deepEqual(route, documented().get(key), key);
  // And the server mounts exactly those (plus the RFC 9728 metadata), nothing else under /admin.
  const mounted = createAdminApi({
    db: database.db,
    config: { issuer, mode: 'development', keyEncryptionKey },
    environment,
    logger: silentLogger,
  }).routes.filter((r) => r.path.startsWith('/admin/'));
  t.deepEqual(
    mounted.map((r) => `${r.method} ${r.path}`).sort(),
    adminOperations(operationsConfig())
      .map((o) => `${o.method} ${routePath(o.path)}`)
      .sort(),
  );
});

test('the served document is the checked-in one, with absolute URLs on the issuer', async (t) => {
  const { response, json } = await adminFetch(api, '/openapi.json');
  t.is(response.status, 200);
  t.is(json.openapi, '3.1.0');
  t.deepEqual(json.servers, [{ url: `${issuer}/admin/v1` }]);
  t.is(
    json.components.securitySchemes.portcullis.flows.clientCredentials.tokenUrl,
    `${issuer}/token`,
  );
  const relative = {
    ...json,
    servers: OPENAPI_DOCUMENT.servers,
    components: {
      ...json.components,
      securitySchemes: OPENAPI_DOCUMENT.components.securitySchemes,
    },
  };
  t.deepEqual(relative, JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)));
});

test('the responses of every operation, refusals included, validate against the document', async (t) => {
  const validator = createAdminValidator();
  const writer = await adminClient(database, issuer, ['admin:read', 'admin:write', 'admin:users']);
  const token = await writer.token();
  await createRolesService(database.db).create({ name: 'contract-role', scopes: [`${API} admin`] });
  const seen = new Set<string>();
  const check = async (
    operationId: string,
    path: string,
    init: Parameters<typeof adminFetch>[2] = {},
  ) => {
    const reply = await adminFetch(api, path, init);
    const mismatches = validator
      .get(operationId)
      ?.response(reply.response.status, reply.json ?? null);
    t.deepEqual(mismatches, [], `${operationId} ${reply.response.status}`);
    seen.add(operationId);
    return reply;
  };
  const etag = (reply: { response: Response }) => reply.response.headers.get('etag') as string;

  await check('listClients', '/clients', { token });
  await check('listClients', '/clients');
  await check('listClients', '/clients?limit=0', { token });
  const created = await check('createClient', '/clients', {
    token,
    method: 'POST',
    body: { name: 'contract', grant_types: ['client_credentials'], resources: [API] },
  });
  await check('createClient', '/clients', { token, method: 'POST', body: { name: 1 } });
  const id = created.json.client.client_id as string;
  const read = await check('getClient', `/clients/${id}`, { token });
  await check('getClient', '/clients/nobody', { token });
  const updated = await check('updateClient', `/clients/${id}`, {
    token,
    method: 'PATCH',
    body: { scope: 'notes:read', refresh_token_ttl: null },
    headers: { 'if-match': etag(read) },
  });
  await check('updateClient', `/clients/${id}`, { token, method: 'PATCH', body: {} });
  const disabled = await check('disableClient', `/clients/${id}/disable`, {
    token,
    method: 'POST',
    headers: { 'if-match': etag(updated) },
  });
  const enabled = await check('enableClient', `/clients/${id}/enable`, {
    token,
    method: 'POST',
    headers: { 'if-match': etag(disabled) },
  });
  const rotated = await check('rotateClientSecret', `/clients/${id}/secrets`, {
    token,
    method: 'POST',
    body: { keep_old: 0 },
    headers: { 'if-match': etag(enabled) },
  });
  const removed = await check('removeClientSecret', `/clients/${id}/secrets/initial`, {
    token,
    method: 'DELETE',
    headers: { 'if-match': etag(rotated) },
  });
  await check('removeClientSecret', `/clients/${id}/secrets/initial`, {
    token,
    method: 'DELETE',
    headers: { 'if-match': etag(removed) },
  });
  await check('deleteClient', `/clients/${id}`, {
    token,
    method: 'DELETE',
    headers: { 'if-match': etag(removed) },
  });
  await check('getOpenApiDocument', '/openapi.json');

  const resource = `/resources/${encodeURIComponent('https://contract.example.test')}`;
  await check('listResources', '/resources', { token });
  await check('listResources', '/resources?cursor=x', { token });
  const made = await check('createResource', '/resources', {
    token,
    method: 'POST',
    body: {
      identifier: 'https://contract.example.test',
      name: 'Contract',
      scopes: [{ name: 'c:read', description: 'Read' }],
    },
  });
  await check('createResource', '/resources', { token, method: 'POST', body: { name: 'x' } });
  await check('getResource', resource, { token });
  await check('getResource', '/resources/nothing', { token });
  const changed = await check('updateResource', resource, {
    token,
    method: 'PATCH',
    body: { access_token_format: 'opaque' },
    headers: { 'if-match': etag(made) },
  });
  await check('updateResource', resource, {
    token,
    method: 'PATCH',
    body: { name: 'y' },
    headers: { 'if-match': etag(made) },
  });
  await check('deleteResource', resource, { token, method: 'DELETE' });
  await check('deleteResource', resource, {
    token,
    method: 'DELETE',
    headers: { 'if-match': etag(changed) },
  });
  await check('listUsers', '/users', { token });
  const user = await check('createUser', '/users', {
    token,
    method: 'POST',
    body: { username: 'contract', password: 'a long enough password' },
  });
  await check('createUser', '/users', { token, method: 'POST', body: { username: 'x' } });
  const u = '/users/contract';
  await check('getUser', u, { token });
  await check('getUser', '/users/nobody', { token });
  const emailed = await check('updateUser', u, {
    token,
    method: 'PATCH',
    body: { email: 'contract@example.test' },
    headers: { 'if-match': etag(user) },
  });
  const passworded = await check('setUserPassword', `${u}/password`, {
    token,
    method: 'PUT',
    body: { password: 'another long password' },
    headers: { 'if-match': etag(emailed) },
  });
  await check('setUserPassword', `${u}/password`, {
    token,
    method: 'PUT',
    body: { password: 'short' },
    headers: { 'if-match': etag(passworded) },
  });
  const roled = await check('addUserRole', `${u}/roles`, {
    token,
    method: 'POST',
    body: { role: 'contract-role' },
    headers: { 'if-match': etag(passworded) },
  });
  const unroled = await check('removeUserRole', `${u}/roles/contract-role`, {
    token,
    method: 'DELETE',
    headers: { 'if-match': etag(roled) },
  });
  const off = await check('disableUser', `${u}/disable`, {
    token,
    method: 'POST',
    headers: { 'if-match': etag(unroled) },
  });
  const on = await check('enableUser', `${u}/enable`, {
    token,
    method: 'POST',
    headers: { 'if-match': etag(off) },
  });
  await check('unlockUser', `${u}/unlock`, { token, method: 'POST' });
  await check('listUserGrants', `${u}/grants`, { token });
  await check('listUserGrants', '/users/nobody/grants', { token });
  await check('listGrants', '/grants?q=a', { token });
  await check('listGrants', '/grants?limit=0', { token });
  await check('revokeUserGrants', `${u}/grants`, { token, method: 'DELETE' });
  await check('revokeGrant', '/grants/nothing', { token, method: 'DELETE' });
  await check('revokeGrant', '/grants/nothing', { method: 'DELETE' });
  await check('listAuditEvents', '/audit?limit=5', { token });
  await check('listAuditEvents', '/audit?type=nothing', { token });
  const declared = {
    declaration: { clients: [{ name: 'declared', grants: ['client_credentials'] }] },
  };
  await check('planDeclaration', '/apply/plan', { token, method: 'POST', body: declared });
  await check('applyDeclaration', '/apply', { token, method: 'POST', body: declared });
  await check('applyDeclaration', '/apply', {
    token,
    method: 'POST',
    body: { declaration: { clients: [{ name: 'x' }] } },
  });
  await check('listSigningKeys', '/keys', { token });
  await check('getDoctorReport', '/doctor', { token });
  const svc = await seedClient(database, { scopes: ['notes:read'] });
  const issued = await check('issueToken', '/tokens', {
    token,
    method: 'POST',
    body: { client: svc.clientId, scope: 'notes:read', resource: API, ttl: 3600 },
  });
  await check('issueToken', '/tokens', { token, method: 'POST', body: { client: svc.clientId } });
  await check('listTokens', '/tokens?limit=1', { token });
  await check('listTokens', '/tokens?cursor=nonsense', { token });
  await check('listTokens', '/tokens');
  await check('revokeToken', `/tokens/${issued.json.grant_id}`, { token, method: 'DELETE' });
  await check('revokeToken', `/tokens/${issued.json.grant_id}`, { token, method: 'DELETE' });
  await check('getDoctorReport', '/doctor');
  await check('rotateSigningKeys', '/keys/rotations', { token, method: 'POST' });
  const keeper = await adminClient(database, issuer, ['admin:keys']);
  const keys = await keeper.token();
  await check('rotateSigningKeys', '/keys/rotations', {
    token: keys,
    method: 'POST',
    body: { propagation: '1d' },
  });
  await check('rotateSigningKeys', '/keys/rotations', {
    token: keys,
    method: 'POST',
    body: { propagation: 'soon' },
  });
  await check('deleteUser', u, { token, method: 'DELETE', headers: { 'if-match': etag(on) } });
  t.deepEqual(
    [...seen].sort(),
    adminOperations(operationsConfig())
      .map((o) => o.operationId)
      .sort(),
    'every operation was called',
  );
});

// Every operation of the document with its path made concrete (`{x}` → `nobody`), whether it
// takes a body, and the scope it needs.
function concreteOperations() {
  const all: Array<{ operationId: string; method: string; path: string; body: boolean }> = [];
  for (const [path, item] of Object.entries(OPENAPI_DOCUMENT.paths)) {
    for (const method of METHODS) {
      const operation = (item as Record<string, unknown>)[method] as
        | { operationId: string; requestBody?: unknown; security?: unknown }
        | undefined;
      if (!operation?.security || (operation.security as unknown[]).length === 0) continue;
      all.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        path: path.replace(/\{\w+\}/g, 'nobody'),
        body: operation.requestBody !== undefined,
      });
    }
  }
  return all;
}

test("every operation's refusals are problem details its document lists: 401, 403, 400 for an unknown query parameter, 415, 413 and 400 for a bad body", async (t) => {
  const validator = createAdminValidator();
  // A token with none of the scopes but admin:keys, and one with admin:keys alone for the rest.
  const [others, keys] = await Promise.all([
    adminClient(database, issuer, ['admin:read', 'admin:write', 'admin:users']),
    adminClient(database, issuer, ['admin:keys']),
  ]);
  const tokens = { others: await others.token(), keys: await keys.token() };
  const found: string[] = [];
  for (const operation of concreteOperations()) {
    const { operationId, method, path } = operation;
    const scope = documented().get(`${method} ${path}`)?.scope;
    const wrong = scope === 'admin:keys' ? tokens.others : tokens.keys;
    const right = scope === 'admin:keys' ? tokens.keys : tokens.others;
    const attempts: Array<[string, number, Parameters<typeof adminFetch>[2]]> = [
      ['no token', 401, { method }],
      ['another scope', 403, { method, token: wrong }],
    ];
    const unknownQuery = `${path}?no_such_parameter=1`;
    if (operation.body) {
      attempts.push(
        [
          'not JSON',
          415,
          { method, token: right, body: 'x', headers: { 'content-type': 'text/plain' } },
        ],
        ['broken JSON', 400, { method, token: right, body: '{"name":' }],
        ['too large', 413, { method, token: right, body: { name: 'x'.repeat(70_000) } }],
      );
    }
    for (const [what, status, init] of attempts) {
      const reply = await adminFetch(api, path, init);
      found.push(...offDocument(operationId, what, status, reply));
    }
    // A mistyped query parameter is named, never ignored.
    const query = await adminFetch(api, unknownQuery, { method, token: right });
    found.push(...offDocument(operationId, 'unknown query parameter', 400, query));
    if (query.json?.errors?.[0]?.field !== 'no_such_parameter') {
      found.push(`${operationId}: the unknown query parameter is not named`);
    }
  }
  t.deepEqual(found, []);

  // What is off: another status, media type or body than the document's problem details.
  function offDocument(
    operationId: string,
    what: string,
    status: number,
    reply: Awaited<ReturnType<typeof adminFetch>>,
  ): string[] {
    const label = `${operationId} ${what}`;
    const type = reply.response.headers.get('content-type')?.split(';')[0];
    return [
      ...(reply.response.status === status ? [] : [`${label}: ${reply.response.status}`]),
      ...(type === 'application/problem+json' ? [] : [`${label}: ${type}`]),
      ...(reply.json?.status === reply.response.status ? [] : [`${label}: body status`]),
      ...(validator.get(operationId)?.response(reply.response.status, reply.json) ?? []).map(
        (mismatch) => `${label}: ${mismatch}`,
      ),
    ];
  }
});

test('the validator is not a rubber stamp: off-document responses and bodies are caught', (t) => {
  const validator = createAdminValidator();
  const getClient = validator.get('getClient');
  t.not(getClient?.response(200, { client: { name: 'x' }, secrets: [] }).length, 0);
  t.not(getClient?.response(418, {}).length, 0);
  t.not(getClient?.response(404, { detail: 'no type' }).length, 0);
  t.deepEqual(validator.get('createClient')?.body?.({ name: 'a', grant_types: ['x'] }), []);
  t.not(validator.get('updateClient')?.body?.({ public: 'yes' }).length, 0);
});

test('off unless enabled: without PORTCULLIS_ADMIN_API=on nothing is served under /admin/v1', async (t) => {
  // A database of its own: another server's key-encryption key cannot read this one's keys.
  const own = await createTestDatabase();
  const plain = await startAuthServer(own);
  try {
    for (const path of ['/admin/v1/openapi.json', '/admin/v1/clients']) {
      t.is((await fetch(`${plain.url}${path}`)).status, 404, path);
    }
  } finally {
    await plain.server.close();
    await own.drop();
  }
});
