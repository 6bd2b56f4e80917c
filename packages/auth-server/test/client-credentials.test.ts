import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createClientsService } from '../src/index.ts';
import {
  API,
  getJson,
  type Json,
  seedClient,
  seedResource,
  startAuthServer,
  tokenRequest,
} from './helpers.ts';

let database: TestDatabase;
let url: string;
let close: () => Promise<void>;
test.before(async () => {
  database = await createTestDatabase();
  await seedResource(database);
  const started = await startAuthServer(database);
  url = started.url;
  close = () => started.server.close();
});
test.after.always(async () => {
  await close?.();
  await database?.drop();
});

test('issues an RFC 9068 JWT for the resource, verifiable with the published JWKS', async (t) => {
  const client = await seedClient(database);
  const { response, json } = await tokenRequest(url, client, {
    grant_type: 'client_credentials',
    scope: 'notes:read',
    resource: API,
  });
  t.is(response.status, 200);
  t.is(response.headers.get('cache-control'), 'no-store');
  t.is(json.token_type, 'Bearer');
  t.is(json.scope, 'notes:read');
  t.true(typeof json.expires_in === 'number' && json.expires_in <= 600);
  const token = json.access_token as string;
  t.is(decodeProtectedHeader(token).typ, 'at+jwt');
  t.is(decodeProtectedHeader(token).alg, 'ES256');
  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${url}/jwks`)), {
    issuer: url,
    audience: API,
    typ: 'at+jwt',
  });
  t.is(payload.client_id, client.clientId);
  t.is(payload.sub, client.clientId);
  t.is(payload.scope, 'notes:read');
  t.truthy(payload.jti);
  t.truthy(payload.iat);
});

test('the resource defaults to the only one the client may use', async (t) => {
  const client = await seedClient(database);
  const { response, json } = await tokenRequest(url, client, {
    grant_type: 'client_credentials',
    scope: 'notes:read notes:write',
  });
  t.is(response.status, 200);
  const [, body] = (json.access_token as string).split('.');
  const payload = JSON.parse(Buffer.from(body as string, 'base64url').toString());
  t.is(payload.aud, API);
  t.is(payload.scope, 'notes:read notes:write');
});

test('without a scope parameter the token carries no scope', async (t) => {
  const client = await seedClient(database);
  const { response, json } = await tokenRequest(url, client, { grant_type: 'client_credentials' });
  t.is(response.status, 200);
  t.is(json.scope, undefined);
});

test('a wrong secret, an unknown client and no credentials are invalid_client', async (t) => {
  const client = await seedClient(database);
  const wrong = await tokenRequest(
    url,
    { ...client, clientSecret: `${client.clientSecret}x` },
    {
      grant_type: 'client_credentials',
    },
  );
  t.is(wrong.response.status, 401);
  t.is(wrong.json.error, 'invalid_client');
  const unknown = await tokenRequest(
    url,
    { clientId: 'nobody', clientSecret: 'x' },
    {
      grant_type: 'client_credentials',
    },
  );
  t.is(unknown.response.status, 401);
  t.is(unknown.json.error, 'invalid_client');
  const none = await tokenRequest(url, undefined, {
    grant_type: 'client_credentials',
    client_id: client.clientId,
  });
  t.is(none.json.error, 'invalid_client');
});

test('the same secret in the body and the header is refused (one method per request)', async (t) => {
  const client = await seedClient(database);
  const { response, json } = await tokenRequest(url, client, {
    grant_type: 'client_credentials',
    client_id: client.clientId,
    client_secret: client.clientSecret,
  });
  t.is(response.status, 400);
  t.is(json.error, 'invalid_request');
});

test('an unknown or unauthorised resource is invalid_target', async (t) => {
  const client = await seedClient(database);
  for (const resource of ['https://other.example.test', 'not a uri', `${API}#frag`]) {
    const { response, json } = await tokenRequest(url, client, {
      grant_type: 'client_credentials',
      resource,
    });
    t.is(response.status, 400, resource);
    t.is(json.error, 'invalid_target', resource);
  }
  const two = await tokenRequest(url, client, {
    grant_type: 'client_credentials',
    resource: [API, 'https://other.example.test'],
  });
  t.is(two.json.error, 'invalid_target');
});

test('a scope the client may not have is invalid_scope', async (t) => {
  const client = await seedClient(database, { scopes: ['notes:read'] });
  for (const scope of ['admin', 'notes:write', 'notes:read admin', 'nonexistent']) {
    const { response, json } = await tokenRequest(url, client, {
      grant_type: 'client_credentials',
      scope,
    });
    t.is(response.status, 400, scope);
    t.is(json.error, 'invalid_scope', scope);
  }
});

test('password and implicit flows do not exist', async (t) => {
  const client = await seedClient(database);
  const password = await tokenRequest(url, client, {
    grant_type: 'password',
    username: 'u',
    password: 'p',
  });
  t.is(password.json.error, 'unsupported_grant_type');
  const discovery = await getJson(`${url}/.well-known/openid-configuration`);
  t.deepEqual(discovery.response_types_supported, ['code']);
  t.false(discovery.grant_types_supported.includes('password'));
  t.false(discovery.grant_types_supported.includes('implicit'));
  t.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
  t.false(discovery.token_endpoint_auth_methods_supported.includes('client_secret_jwt'));
  for (const alg of discovery.token_endpoint_auth_signing_alg_values_supported ?? []) {
    t.false(alg.startsWith('HS'), alg);
  }
});

test('discovery at both well-known URLs, and a JWKS without private parts', async (t) => {
  for (const path of [
    '/.well-known/openid-configuration',
    '/.well-known/oauth-authorization-server',
  ]) {
    const response = await fetch(`${url}${path}`);
    t.is(response.status, 200, path);
    const metadata = (await response.json()) as Json;
    t.is(metadata.issuer, url);
    t.is(metadata.jwks_uri, `${url}/jwks`);
    t.is(metadata.token_endpoint, `${url}/token`);
  }
  const jwks = await getJson(`${url}/jwks`);
  t.deepEqual(jwks.keys.map((k: { alg: string }) => k.alg).sort(), ['ES256', 'RS256']);
  for (const key of jwks.keys) {
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) t.false(secret in key, secret);
  }
});

test('healthz and readyz', async (t) => {
  const health = await fetch(`${url}/healthz`);
  t.is(health.status, 200);
  t.deepEqual(await health.json(), { status: 'ok' });
  const ready = await fetch(`${url}/readyz`);
  t.is(ready.status, 200);
  t.is(((await ready.json()) as Json).checks.database, 'ok');
});

test('a deleted client stops working within a second, through LISTEN/NOTIFY', async (t) => {
  const client = await seedClient(database);
  const first = await tokenRequest(url, client, { grant_type: 'client_credentials' });
  t.is(first.response.status, 200, 'the client is now cached');
  await createClientsService(database.db).delete(client.clientId);
  let status = 200;
  const deadline = Date.now() + 1000;
  while (Date.now() < deadline && status === 200) {
    status = (await tokenRequest(url, client, { grant_type: 'client_credentials' })).response
      .status;
  }
  t.is(status, 401);
});
