import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAuthServer, loadServerConfig, silentLogger } from '@portcullis/auth-server';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { exportJWK, generateKeyPair } from 'jose';
import * as client from 'openid-client';
import {
  discoverClient,
  HttpBrowser,
  oauthError,
  type Stack,
  startStack,
  submitForm,
} from '../src/index.ts';

// Dynamic client registration (RFC 7591) and its management (RFC 7592), on with
// PORTCULLIS_REGISTRATION=on: only with an initial access token an operator created, validated
// like `clients create` within the token's policy, third-party, audited, limited.

const REDIRECT = 'http://127.0.0.1:8774/callback';
const PASSWORD = 'registration-owner-password';
// Requests with this X-Forwarded-For count against their own address (the limits test).
const ATTACKER = '203.0.113.77';
// Every other request by hand comes from an address of its own (the server trusts
// X-Forwarded-For here), so the failures the refusal tests make never add up to a lockout.
let requests = 0;
const ownAddress = () => {
  requests += 1;
  return { 'x-forwarded-for': `10.0.${Math.floor(requests / 250)}.${(requests % 250) + 1}` };
};

let database: TestDatabase;
let stack: Stack;
let registrationEndpoint: string;

interface TokenJson {
  id: string;
  token: string;
  uses: number;
  status: string;
}

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url, {
    PORTCULLIS_REGISTRATION: 'on',
    PORTCULLIS_TRUST_PROXY: 'true',
    PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS: '3/1m',
  });
  await stack.cli(['users', 'create', '--username', 'rita', '--password-stdin'], `${PASSWORD}\n`);
  const discovery = await fetch(`${stack.issuer}/.well-known/openid-configuration`);
  registrationEndpoint = ((await discovery.json()) as { registration_endpoint: string })
    .registration_endpoint;
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

/** `clients registration-token create` with `args`. */
const initialToken = (args: string[] = []) =>
  stack.cli<TokenJson>([
    'clients',
    'registration-token',
    'create',
    '--resource',
    stack.api,
    '--scope',
    'notes:read',
    ...args,
  ]);

const metadata = (fields: Record<string, unknown> = {}) => ({
  client_name: `app ${randomBytes(4).toString('hex')}`,
  redirect_uris: [REDIRECT],
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid offline_access notes:read',
  ...fields,
});

/** POSTs a registration by hand, so that its token and body can be wrong on purpose. */
async function register(
  body: unknown,
  token?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(registrationEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...ownAddress(),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
}

/** GET, PUT or DELETE on a client's registration with a registration access token. */
async function manage(uri: string, method: string, token: string, body?: unknown) {
  const response = await fetch(uri, {
    method,
    headers: {
      ...ownAddress(),
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
  };
}

const usesOf = async (id: string) =>
  (await stack.cli<TokenJson[]>(['clients', 'registration-token', 'list'])).find((t) => t.id === id)
    ?.uses;

test('discovery names the registration endpoint on the issuer', (t) => {
  t.is(registrationEndpoint, `${stack.issuer}/reg`);
});

test('a client registered with openid-client signs a user in with PKCE after consent', async (t) => {
  const { id, token } = await initialToken();
  // A conforming client authenticates as registered: client_secret_basic.
  const basic: client.ClientAuth = (as, meta, body, headers) =>
    client.ClientSecretBasic(meta.client_secret as string)(as, meta, body, headers);
  const config = await client.dynamicClientRegistration(new URL(stack.issuer), metadata(), basic, {
    initialAccessToken: token,
    execute: [client.allowInsecureRequests],
  });
  const registered = config.clientMetadata();
  t.is(registered.token_endpoint_auth_method, 'client_secret_basic');
  t.regex(String(registered.client_secret), /^[\w-]{43}$/, 'a 256-bit secret, shown once');
  t.regex(String(registered.registration_client_uri), new RegExp(`^${stack.issuer}/reg/`));

  const shown = await stack.cli<Record<string, unknown>>([
    'clients',
    'show',
    config.clientMetadata().client_id,
  ]);
  t.is(shown.registered_via, 'dynamic');
  t.is(shown.registration_token, id);
  t.is(shown.first_party, false);
  t.deepEqual(shown.resources, [stack.api]);

  const browser = new HttpBrowser(stack.issuer);
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid notes:read',
    resource: stack.api,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  let step = await browser.follow(url.href);
  step = (await submitForm(browser, step, { username: 'rita', password: PASSWORD })).next;
  const consent = await step.response.clone().text();
  t.regex(consent, /name="decision"/, 'a third-party client: consent is asked');
  step = (await submitForm(browser, step, { decision: 'approve' })).next;
  const tokens = await client.authorizationCodeGrant(config, new URL(step.left as string), {
    pkceCodeVerifier: verifier,
  });
  const notes = await fetch(`${stack.api}/notes`, {
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  t.is(notes.status, 200);

  const audit = await database
    .db('audit_events')
    .where({ type: 'client.created', client_id: registered.client_id })
    .first();
  t.is(audit?.actor, `registration_token:${id}`);
  t.is(audit?.details.registered_via, 'dynamic');
  t.truthy(audit?.address);
  // Stored as digests only: the initial and registration access tokens and the secret.
  const stored = JSON.stringify(
    await Promise.all(
      ['clients', 'client_secrets', 'registration_tokens', 'audit_events', 'oidc_artifacts'].map(
        (table) => database.db(table).select('*'),
      ),
    ),
  );
  for (const value of [token, registered.registration_access_token, registered.client_secret]) {
    t.false(stored.includes(String(value)));
  }
});

test('no token, a wrong one, an expired one, a revoked one: 401 invalid_token', async (t) => {
  const none = await register(metadata());
  t.is(none.status, 401);
  t.is(none.body.error, 'invalid_token');
  t.regex(none.headers.get('www-authenticate') ?? '', /^Bearer/);
  t.is(none.headers.get('cache-control'), 'no-store');

  const wrong = await register(metadata(), randomBytes(32).toString('base64url'));
  t.is(wrong.status, 401);
  t.is(wrong.body.error, 'invalid_token');
  t.is(wrong.headers.get('www-authenticate'), 'Bearer error="invalid_token"');

  const expired = await initialToken(['--expires', '1m']);
  await database
    .db('registration_tokens')
    .where({ id: expired.id })
    .update({ expires_at: database.db.raw(`now() - interval '1 second'`) });
  t.is((await register(metadata(), expired.token)).body.error, 'invalid_token');

  const revoked = await initialToken();
  await stack.cli(['clients', 'registration-token', 'revoke', revoked.id]);
  t.is((await register(metadata(), revoked.token)).body.error, 'invalid_token');
});

test('a used-up token registers no more, and two registrations race for its last use', async (t) => {
  const once = await initialToken(['--max-uses', '1']);
  t.is((await register(metadata(), once.token)).status, 201);
  const again = await register(metadata(), once.token);
  t.is(again.status, 401);
  t.is(again.body.error, 'invalid_token');

  const twice = await initialToken(['--max-uses', '2']);
  t.is((await register(metadata(), twice.token)).status, 201);
  const raced = await Promise.all(
    Array.from({ length: 4 }, () => register(metadata(), twice.token)),
  );
  t.deepEqual(
    raced.map((r) => r.status).sort(),
    [201, 401, 401, 401],
    'exactly one wins the last use',
  );
  t.is(await usesOf(twice.id), 2);
});

test('metadata refused like clients create, within the token policy, uses nothing', async (t) => {
  const { id, token } = await initialToken(['--max-uses', '5']);
  const refused = async (fields: Record<string, unknown>) => {
    const answer = await register(metadata(fields), token);
    t.is(answer.status, 400, JSON.stringify(answer.body));
    return answer.body;
  };
  t.is(
    (await refused({ redirect_uris: ['http://app.example.com/cb'] })).error,
    'invalid_redirect_uri',
  );
  t.is(
    (await refused({ redirect_uris: ['https://app.example.com/cb#x'] })).error,
    'invalid_redirect_uri',
  );
  t.is((await refused({ redirect_uris: [] })).error, 'invalid_redirect_uri');
  t.is(
    (await refused({ redirect_uris: 'https://app.example.com/cb' })).error,
    'invalid_redirect_uri',
  );
  const grant = await refused({ grant_types: ['client_credentials'] });
  t.is(grant.error, 'invalid_client_metadata');
  t.regex(String(grant.error_description), /client_credentials/);
  t.is(
    (await refused({ grant_types: ['urn:ietf:params:oauth:grant-type:device_code'] })).error,
    'invalid_client_metadata',
  );
  t.is((await refused({ response_types: ['token'] })).error, 'invalid_client_metadata');
  t.is(
    (await refused({ token_endpoint_auth_method: 'private_key_jwt' })).error,
    'invalid_client_metadata',
  );
  const scope = await refused({ scope: 'openid notes:write' });
  t.is(scope.error, 'invalid_client_metadata');
  t.regex(String(scope.error_description), /notes:write/);
  t.is((await refused({ scope: 'openid made:up' })).error, 'invalid_client_metadata');
  const homepage = await refused({ client_uri: 'http://app.example.com' });
  t.is(homepage.error, 'invalid_client_metadata');
  t.regex(
    String(homepage.error_description),
    /^client_uri "http:\/\/app\.example\.com" must use https/,
  );
  t.is((await refused({ client_name: 42 })).error, 'invalid_client_metadata');
  // Logout tokens go to their URI past the special-use-address guard: an operator sets it.
  const logout = await refused({ backchannel_logout_uri: 'https://app.example.com/logout' });
  t.is(logout.error, 'invalid_client_metadata');
  t.regex(String(logout.error_description), /backchannel_logout_uri .*an operator sets it/);
  t.is((await register([1, 2], token)).body.error, 'invalid_client_metadata');
  t.is(await usesOf(id), 0, 'a refused registration uses nothing');

  const taken = await register(metadata({ client_name: 'Unique App' }), token);
  t.is(taken.status, 201);
  t.is((await refused({ client_name: 'unique app' })).error, 'invalid_client_metadata');
});

test('RFC 7592: read, update (rotating the token), delete with the registration access token', async (t) => {
  const { token } = await initialToken();
  const created = await register(metadata({ token_endpoint_auth_method: 'none' }), token);
  t.is(created.status, 201);
  t.is(created.body.client_secret, undefined, 'a public client has no secret');
  const uri = created.body.registration_client_uri as string;
  const firstToken = created.body.registration_access_token as string;

  const read = await manage(uri, 'GET', firstToken);
  t.is(read.status, 200);
  t.is(read.body.client_id, created.body.client_id);
  t.deepEqual(read.body.redirect_uris, [REDIRECT]);
  t.is((await manage(uri, 'GET', randomBytes(32).toString('base64url'))).status, 401);
  // Another client's token manages nothing here.
  const other = await register(metadata(), (await initialToken()).token);
  t.is((await manage(uri, 'GET', other.body.registration_access_token as string)).status, 401);

  // The operator gives it a back-channel logout URI, which the app cannot set itself.
  const logoutUri = 'https://app.example.com/backchannel-logout';
  await stack.cli([
    'clients',
    'update',
    created.body.client_id as string,
    '--backchannel-logout-uri',
    logoutUri,
  ]);

  const next = 'http://127.0.0.1:8774/other';
  const update = {
    client_id: created.body.client_id,
    client_name: 'renamed app',
    redirect_uris: [next],
    token_endpoint_auth_method: 'none',
    scope: 'openid notes:read',
  };
  const badUpdate = await manage(uri, 'PUT', firstToken, {
    ...update,
    redirect_uris: ['http://evil.example.com/cb'],
  });
  t.is(badUpdate.status, 400);
  t.is(badUpdate.body.error, 'invalid_redirect_uri');
  t.is(
    (await manage(uri, 'PUT', firstToken, { ...update, scope: 'notes:write' })).body.error,
    'invalid_client_metadata',
  );
  t.is(
    (await manage(uri, 'PUT', firstToken, { ...update, client_id: 'someone-else' })).body.error,
    'invalid_request',
  );

  const updated = await manage(uri, 'PUT', firstToken, update);
  t.is(updated.status, 200, JSON.stringify(updated.body));
  t.deepEqual(updated.body.redirect_uris, [next]);
  t.is(updated.body.client_name, 'renamed app');
  const shown = await stack.cli<{ backchannel_logout_uri: string | null }>([
    'clients',
    'show',
    created.body.client_id as string,
  ]);
  t.is(shown.backchannel_logout_uri, logoutUri, "the app's update keeps the operator's URI");
  const secondToken = updated.body.registration_access_token as string;
  t.not(secondToken, firstToken, 'rotated');
  t.is((await manage(uri, 'GET', firstToken)).status, 401, 'the old one stops working');
  t.is((await manage(uri, 'GET', secondToken)).status, 200);

  t.is((await manage(uri, 'DELETE', firstToken)).status, 401);
  t.is((await manage(uri, 'DELETE', secondToken)).status, 204);
  t.is((await manage(uri, 'GET', secondToken)).status, 401);
  const clients = await stack.cli<Array<{ client_id: string }>>([
    'clients',
    'list',
    '--registered',
    'dynamic',
  ]);
  t.false(clients.some((c) => c.client_id === created.body.client_id));
  const deleted = await database
    .db('audit_events')
    .where({ type: 'client.deleted', client_id: created.body.client_id })
    .first();
  t.is(deleted?.actor, `client:${created.body.client_id}`);
});

test('RFC 7592 read says how the client authenticates now, after an operator moved it to keys', async (t) => {
  const created = await register(metadata(), (await initialToken()).token);
  t.is(created.status, 201);
  const pair = await generateKeyPair('ES256', { extractable: true });
  const folder = await mkdtemp(path.join(tmpdir(), 'portcullis-dcr-'));
  t.teardown(() => rm(folder, { recursive: true, force: true }));
  const file = path.join(folder, 'keys.json');
  await writeFile(
    file,
    JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1' }] }),
  );
  const id = created.body.client_id as string;
  await stack.cli([
    'clients',
    'update',
    id,
    '--auth-method',
    'private_key_jwt',
    '--jwks-file',
    file,
  ]);
  const read = await manage(
    created.body.registration_client_uri as string,
    'GET',
    created.body.registration_access_token as string,
  );
  t.is(read.status, 200);
  t.is(read.body.token_endpoint_auth_method, 'private_key_jwt');
  t.false('client_secret_expires_at' in read.body, 'no secret to expire');
});

test('a deleted confidential client can no longer get tokens', async (t) => {
  const created = await register(
    metadata({ grant_types: ['authorization_code'] }),
    (await initialToken()).token,
  );
  const config = await discoverClient(stack.issuer, {
    client_id: created.body.client_id as string,
    client_secret: created.body.client_secret as string,
  });
  const before = await oauthError(
    client.genericGrantRequest(config, 'authorization_code', {
      code: 'x',
      redirect_uri: REDIRECT,
      code_verifier: 'y'.repeat(43),
    }),
  );
  t.is(before, 'invalid_grant', 'authenticated: only the code is wrong');
  const uri = created.body.registration_client_uri as string;
  t.is((await manage(uri, 'DELETE', created.body.registration_access_token as string)).status, 204);
  let after = '';
  for (const started = Date.now(); Date.now() - started < 2000 && after !== 'invalid_client'; ) {
    after = await oauthError(
      client.genericGrantRequest(config, 'authorization_code', {
        code: 'x',
        redirect_uri: REDIRECT,
        code_verifier: 'y'.repeat(43),
      }),
    );
  }
  t.is(after, 'invalid_client');
});

test('wrong tokens count like failed client authentication: 429 past the limit, audited', async (t) => {
  const from = { 'x-forwarded-for': ATTACKER };
  const statuses = [];
  for (let i = 0; i < 5; i += 1) {
    statuses.push((await register(metadata(), randomBytes(32).toString('base64url'), from)).status);
  }
  t.deepEqual(statuses, [401, 401, 401, 429, 429]);
  const locked = await register(metadata(), randomBytes(32).toString('base64url'), from);
  t.truthy(locked.headers.get('retry-after'));
  t.is(locked.body.error, 'invalid_token', 'the same answer as a wrong token');
  const hit = await database
    .db('audit_events')
    .where({ type: 'rate_limit.hit', address: ATTACKER })
    .first();
  t.is(hit?.details.endpoint, 'registration');
  // A right token from the locked address still works: only failures are refused.
  t.is((await register(metadata(), (await initialToken()).token, from)).status, 201);
});

test('off (the default): no registration_endpoint, and /reg is 404', async (t) => {
  const port = await freePort();
  const config = loadServerConfig(
    {
      PORTCULLIS_PORT: String(port),
      PORTCULLIS_ISSUER: `http://127.0.0.1:${port}`,
      PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
      PORTCULLIS_KEY_ENCRYPTION_KEY: stack.config.keyEncryptionKey.toString('base64url'),
    },
    { mode: 'development' },
  );
  const server = await createAuthServer({
    db: database.db,
    databaseUrl: database.url,
    config,
    logger: silentLogger,
  });
  await server.listen();
  try {
    const issuer = `http://127.0.0.1:${port}`;
    const discovery = (await (
      await fetch(`${issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    t.false('registration_endpoint' in discovery);
    const { token } = await initialToken();
    const response = await fetch(`${issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(metadata()),
    });
    t.is(response.status, 404);
  } finally {
    await server.close();
  }
});
