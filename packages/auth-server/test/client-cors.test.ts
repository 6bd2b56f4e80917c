import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { createClientsService } from '../src/index.ts';
import { getJson, type Json, startAuthServer } from './helpers.ts';

// Everything oidc-provider prints about itself (its notices and warnings go to the console), to
// check that no default it asks us to replace is in use. ava runs each file in its own process.
const printed: string[] = [];
for (const method of ['info', 'warn', 'log', 'error'] as const) {
  const original = console[method];
  console[method] = (...args: unknown[]) => {
    printed.push(args.map(String).join(' '));
    original(...args);
  };
}

const APP = 'https://app.example.test';
const REDIRECT = `${APP}/callback`;

let database: TestDatabase;
let url: string;
let close: () => Promise<void>;
let browserApp: string;
let withoutOrigins: string;
let deviceEndpoint: string;

test.before(async () => {
  database = await createTestDatabase();
  const clients = createClientsService(database.db);
  const grants = ['authorization_code', 'device_code'];
  browserApp = (
    await clients.create({
      name: 'browser app',
      grants,
      redirectUris: [REDIRECT],
      webOrigins: [APP, 'http://localhost:5173'],
      public: true,
    })
  ).client.id;
  // Before web origins, oidc-provider's default let a public client's redirect URI origins in.
  withoutOrigins = (
    await clients.create({ name: 'no origins', grants, redirectUris: [REDIRECT], public: true })
  ).client.id;
  const started = await startAuthServer(database);
  url = started.url;
  close = () => started.server.close();
  deviceEndpoint = (await getJson(`${url}/.well-known/openid-configuration`))
    .device_authorization_endpoint;
});
test.after.always(async () => {
  await close?.();
  await database?.drop();
});

const post = (endpoint: string, form: Record<string, string>, origin?: string) =>
  fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(origin ? { origin } : {}),
    },
    body: new URLSearchParams(form),
  });

// A token request a browser app makes; the code is unknown, so a permitted one is invalid_grant.
const tokenRequest = (clientId: string, origin?: string) =>
  post(
    `${url}/token`,
    {
      grant_type: 'authorization_code',
      client_id: clientId,
      code: 'unknown-code',
      redirect_uri: REDIRECT,
      code_verifier: 'v'.repeat(43),
    },
    origin,
  );

test('a token request from one of the client’s web origins is allowed that origin', async (t) => {
  for (const origin of [APP, 'http://localhost:5173']) {
    const response = await tokenRequest(browserApp, origin);
    t.is(response.headers.get('access-control-allow-origin'), origin);
    t.is(response.status, 400);
    t.is(((await response.json()) as Json).error, 'invalid_grant');
  }
});

test('a token request from another origin is refused, without CORS headers', async (t) => {
  for (const origin of ['https://evil.example.test', 'https://app.example.test:8443', 'null']) {
    const response = await tokenRequest(browserApp, origin);
    t.is(response.headers.get('access-control-allow-origin'), null, origin);
    t.is(response.status, 400);
    const json = (await response.json()) as Json;
    t.is(json.error, 'invalid_request');
    t.regex(json.error_description, /not allowed for client/);
  }
});

test('a client without web origins is refused from its redirect URI’s origin', async (t) => {
  const response = await tokenRequest(withoutOrigins, APP);
  t.is(response.headers.get('access-control-allow-origin'), null);
  t.is(response.status, 400);
  t.is(((await response.json()) as Json).error, 'invalid_request');
});

test('a request without Origin (not from a browser page) is not affected', async (t) => {
  const response = await tokenRequest(withoutOrigins);
  t.is(response.status, 400);
  t.is(((await response.json()) as Json).error, 'invalid_grant');
});

test('the device authorization endpoint follows the same origins', async (t) => {
  const allowed = await post(deviceEndpoint, { client_id: browserApp, scope: 'openid' }, APP);
  t.is(allowed.status, 200);
  t.is(allowed.headers.get('access-control-allow-origin'), APP);
  t.truthy(((await allowed.json()) as Json).device_code);
  const refused = await post(
    deviceEndpoint,
    { client_id: browserApp, scope: 'openid' },
    'https://evil.example.test',
  );
  t.is(refused.status, 400);
  t.is(refused.headers.get('access-control-allow-origin'), null);
});

test('a preflight names no client: oidc-provider answers it, the request itself is checked', async (t) => {
  const response = await fetch(`${url}/token`, {
    method: 'OPTIONS',
    headers: {
      origin: 'https://evil.example.test',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  });
  t.is(response.status, 204);
  t.is(response.headers.get('access-control-allow-origin'), 'https://evil.example.test');
});

test('discovery and the JWKS, public metadata, are open to every origin', async (t) => {
  for (const path of ['/.well-known/openid-configuration', '/jwks']) {
    const response = await fetch(`${url}${path}`, { headers: { origin: 'https://any.example' } });
    t.is(response.status, 200);
    t.is(response.headers.get('access-control-allow-origin'), 'https://any.example');
  }
});

test('oidc-provider uses our CORS policy, not its default', async (t) => {
  await tokenRequest(browserApp, 'https://evil.example.test');
  t.false(
    printed.some((line) => line.includes('clientBasedCORS')),
    printed.join('\n'),
  );
});
