import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAuditRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import {
  type CryptoKey,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
} from 'jose';
import * as client from 'openid-client';
import { type Stack, startStack } from '../src/index.ts';

// Secretless first-party clients (RFC 7523 private_key_jwt): registered with the CLI from a JWKS
// file or a JWKS URI served by a real HTTP server, they get client-credentials tokens with
// openid-client's PrivateKeyJwt; keys roll with `clients update`; replayed, mis-addressed,
// expired, unknown-key and wrongly signed assertions, and secrets, are refused with
// invalid_client, and count against the brute-force limit like wrong secrets.

// Per client: 4 failures a minute, then 429. Each refusal test has a client of its own.
const LIMITS = {
  PORTCULLIS_LIMIT_CLIENT_AUTH: '4/1m',
  PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS: 'off',
};
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

let database: TestDatabase;
let stack: Stack;
let dir: string;
let tokenEndpoint: string;
let jwksServer: { server: Server; url: string; keys: JWK[] };

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url, LIMITS);
  dir = await mkdtemp(path.join(tmpdir(), 'portcullis-pkjwt-'));
  const discovery = await fetch(`${stack.issuer}/.well-known/openid-configuration`);
  tokenEndpoint = ((await discovery.json()) as { token_endpoint: string }).token_endpoint;
  jwksServer = await startJwksServer();
});
test.after.always(async () => {
  await new Promise((resolve) => jwksServer?.server.close(resolve));
  await stack?.stop();
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Key {
  privateKey: CryptoKey;
  jwk: JWK;
  kid: string;
}

async function newKey(alg: 'ES256' | 'PS256' | 'EdDSA' | 'RS256' = 'ES256'): Promise<Key> {
  const pair = await generateKeyPair(alg, { extractable: true });
  const kid = `${alg}-${randomUUID()}`;
  return { privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid }, kid };
}

async function jwksFile(keys: Key[]): Promise<string> {
  const file = path.join(dir, `${randomUUID()}.json`);
  await writeFile(file, JSON.stringify({ keys: keys.map((k) => k.jwk) }));
  return file;
}

interface Created {
  client_id: string;
  client_secret?: string;
  token_endpoint_auth_method: string;
}

/** A private_key_jwt client-credentials service of the example API, created with the CLI. */
async function createService(keys: string[]): Promise<Created> {
  return stack.cli<Created>([
    'clients',
    'create',
    '--name',
    `service ${randomUUID()}`,
    '--grant',
    'client_credentials',
    '--resource',
    stack.api,
    '--scope',
    'notes:read',
    '--first-party',
    '--auth-method',
    'private_key_jwt',
    ...keys,
  ]);
}

/** openid-client's configuration for the client, authenticating with PrivateKeyJwt. */
const configFor = (clientId: string, key: Key) =>
  client.discovery(
    new URL(stack.issuer),
    clientId,
    undefined,
    client.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }),
    { execute: [client.allowInsecureRequests] },
  );

const tokenFor = async (clientId: string, key: Key) =>
  client.clientCredentialsGrant(await configFor(clientId, key), {
    scope: 'notes:read',
    resource: stack.api,
  });

/** A client assertion made by hand, with `claims` and `header` laid over sound ones. */
async function assertion(
  clientId: string,
  key: { privateKey: CryptoKey | Uint8Array; kid: string },
  options: { alg?: string; claims?: Record<string, unknown> } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: clientId,
    sub: clientId,
    aud: stack.issuer,
    jti: randomUUID(),
    iat: now,
    exp: now + 60,
    ...options.claims,
  })
    .setProtectedHeader({ alg: options.alg ?? 'ES256', kid: key.kid })
    .sign(key.privateKey);
}

/** A client-credentials request at the token endpoint with `form` over a sound one. */
async function tokenRequest(clientId: string, clientAssertion: string, form = {}) {
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'notes:read',
      resource: stack.api,
      client_id: clientId,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: clientAssertion,
      ...form,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const refusedAsClient = { status: 401, body: { error: 'invalid_client' } };
const shape = (answer: { status: number; body: Record<string, unknown> }) => ({
  status: answer.status,
  body: { error: answer.body.error },
});

async function startJwksServer() {
  const keys: JWK[] = [];
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/jwks.json`, keys };
}

test('a client created from a JWKS file gets a client-credentials token with PrivateKeyJwt', async (t) => {
  const key = await newKey('ES256');
  const created = await createService(['--jwks-file', await jwksFile([key])]);
  t.is(created.token_endpoint_auth_method, 'private_key_jwt');
  t.is(created.client_secret, undefined);
  const tokens = await tokenFor(created.client_id, key);
  t.is(tokens.token_type.toLowerCase(), 'bearer');
  const claims = decodeJwt(tokens.access_token);
  t.is(claims.client_id, created.client_id);
  t.is(claims.aud, stack.api);
  // The example API takes it.
  const me = await fetch(`${stack.api}/me`, {
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  t.is(me.status, 200);
});

test('PS256 and Ed25519 keys work too (openid-client signs Ed25519 keys as "Ed25519")', async (t) => {
  for (const alg of ['PS256', 'EdDSA'] as const) {
    const key = await newKey(alg);
    const created = await createService(['--jwks-file', await jwksFile([key])]);
    const tokens = await tokenFor(created.client_id, key);
    t.is(decodeJwt(tokens.access_token).client_id, created.client_id, alg);
  }
});

test('a client with a JWKS URI served over real HTTP gets a token', async (t) => {
  const key = await newKey('ES256');
  jwksServer.keys.push(key.jwk);
  const created = await createService(['--jwks-uri', jwksServer.url]);
  const shown = await stack.cli<Record<string, unknown>>(['clients', 'show', created.client_id]);
  t.is(shown.jwks_uri, jwksServer.url);
  t.is(shown.jwks, null);
  const tokens = await tokenFor(created.client_id, key);
  t.is(decodeJwt(tokens.access_token).client_id, created.client_id);
  // A key the URI does not publish is refused.
  const other = await newKey('ES256');
  t.like(
    shape(await tokenRequest(created.client_id, await assertion(created.client_id, other))),
    refusedAsClient,
  );
});

test('clients update rolls the keys: the old key is refused, the new one accepted', async (t) => {
  const [old, next] = [await newKey('ES256'), await newKey('ES256')];
  const created = await createService(['--jwks-file', await jwksFile([old])]);
  t.truthy(await tokenFor(created.client_id, old));
  const updated = await stack.cli<{ changed: string[] }>([
    'clients',
    'update',
    created.client_id,
    '--jwks-file',
    await jwksFile([next]),
  ]);
  t.deepEqual(updated.changed, ['jwks']);
  // Servers see the change within a second (LISTEN/NOTIFY).
  let refused: unknown;
  const started = Date.now();
  do {
    refused = await tokenFor(created.client_id, old).then(
      () => undefined,
      (error: unknown) => error,
    );
  } while (refused === undefined && Date.now() - started < 1000);
  t.true(refused instanceof client.ResponseBodyError);
  t.is((refused as client.ResponseBodyError).error, 'invalid_client');
  t.truthy((await tokenFor(created.client_id, next)).access_token);
});

test('a replayed assertion (same jti) is refused, also when both race', async (t) => {
  const key = await newKey('ES256');
  const created = await createService(['--jwks-file', await jwksFile([key])]);
  const once = await assertion(created.client_id, key);
  t.is((await tokenRequest(created.client_id, once)).status, 200);
  t.like(shape(await tokenRequest(created.client_id, once)), refusedAsClient);
  // Two requests with one fresh assertion at the same instant: exactly one gets a token.
  const raced = await assertion(created.client_id, key);
  const answers = await Promise.all([
    tokenRequest(created.client_id, raced),
    tokenRequest(created.client_id, raced),
  ]);
  t.deepEqual(answers.map((a) => a.status).sort(), [200, 401]);
});

test('an assertion for another audience than the issuer is refused, the token endpoint URL too', async (t) => {
  const key = await newKey('ES256');
  const created = await createService(['--jwks-file', await jwksFile([key])]);
  for (const aud of [tokenEndpoint, 'https://other.example.com', [stack.issuer, tokenEndpoint]]) {
    const sent = await assertion(created.client_id, key, { claims: { aud } });
    t.like(shape(await tokenRequest(created.client_id, sent)), refusedAsClient, String(aud));
  }
});

test('an expired assertion is refused', async (t) => {
  const key = await newKey('ES256');
  const created = await createService(['--jwks-file', await jwksFile([key])]);
  const now = Math.floor(Date.now() / 1000);
  const sent = await assertion(created.client_id, key, {
    claims: { iat: now - 600, exp: now - 300 },
  });
  t.like(shape(await tokenRequest(created.client_id, sent)), refusedAsClient);
});

test('an assertion signed by a key the client does not have is refused', async (t) => {
  const key = await newKey('ES256');
  const created = await createService(['--jwks-file', await jwksFile([key])]);
  const stranger = await newKey('ES256');
  // Under the registered kid too: the signature decides.
  const forged = await assertion(created.client_id, {
    privateKey: stranger.privateKey,
    kid: key.kid,
  });
  t.like(shape(await tokenRequest(created.client_id, forged)), refusedAsClient);
});

test('RS256 and HS256 assertions are refused', async (t) => {
  // The operator cannot register an RS256 key (see the CLI test); a bare RSA key can sign RS256.
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa' };
  const created = await createService(['--jwks-file', await jwksFile([{ jwk } as Key])]);
  const rs256 = await assertion(
    created.client_id,
    { privateKey: rsa.privateKey, kid: 'rsa' },
    {
      alg: 'RS256',
    },
  );
  t.like(shape(await tokenRequest(created.client_id, rs256)), refusedAsClient);
  const hs256 = await assertion(
    created.client_id,
    { privateKey: new TextEncoder().encode('a'.repeat(32)), kid: 'rsa' },
    { alg: 'HS256' },
  );
  t.like(shape(await tokenRequest(created.client_id, hs256)), refusedAsClient);
  // The same RSA key with PS256 is accepted.
  const asPss = (await importJWK(await exportJWK(rsa.privateKey), 'PS256')) as CryptoKey;
  const ps256 = await assertion(
    created.client_id,
    { privateKey: asPss, kid: 'rsa' },
    {
      alg: 'PS256',
    },
  );
  t.is((await tokenRequest(created.client_id, ps256)).status, 200);
});

test('a private_key_jwt client sending a secret is refused', async (t) => {
  const key = await newKey('ES256');
  const created = await createService(['--jwks-file', await jwksFile([key])]);
  const basic = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${created.client_id}:anything`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: stack.api }),
  });
  t.is(basic.status, 401);
  t.is(((await basic.json()) as { error: string }).error, 'invalid_client');
  const post = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      resource: stack.api,
      client_id: created.client_id,
      client_secret: 'anything',
    }),
  });
  t.is(post.status, 401);
});

test('failed assertions count against the brute-force limit like failed secrets', async (t) => {
  const key = await newKey('ES256');
  const created = await createService(['--jwks-file', await jwksFile([key])]);
  const stranger = await newKey('ES256');
  const statuses: number[] = [];
  for (let i = 0; i < 6; i += 1) {
    const forged = await assertion(created.client_id, stranger);
    statuses.push((await tokenRequest(created.client_id, forged)).status);
  }
  t.deepEqual(statuses.slice(0, 4), [401, 401, 401, 401]);
  t.is(statuses[5], 429);
  const events = await createAuditRepository(database.db).list({
    type: 'rate_limit.hit',
    limit: 100,
  });
  t.true(events.some((event) => event.clientId === created.client_id));
  // Only failures are refused: the client's own key still gets a token.
  t.truthy((await tokenFor(created.client_id, key)).access_token);
});

test('discovery names private_key_jwt and only the allowed algorithms', async (t) => {
  const metadata = (await (
    await fetch(`${stack.issuer}/.well-known/openid-configuration`)
  ).json()) as Record<string, string[]>;
  t.true(metadata.token_endpoint_auth_methods_supported?.includes('private_key_jwt'));
  t.deepEqual(metadata.token_endpoint_auth_signing_alg_values_supported, [
    'ES256',
    'PS256',
    'EdDSA',
    'Ed25519',
  ]);
});
