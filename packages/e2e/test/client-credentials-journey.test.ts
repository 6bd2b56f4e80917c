import { loadSigningKeys } from '@portcullis/auth-server';
import { createKeysRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { importJWK, SignJWT } from 'jose';
import * as client from 'openid-client';
import { discoverClient, type Stack, startStack } from '../src/index.ts';

let database: TestDatabase;
let stack: Stack;
let credentials: { client_id: string; client_secret: string };
let oidc: client.Configuration;

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  await stack.cli([
    'resources',
    'create',
    '--identifier',
    'https://other.example.test',
    '--name',
    'Other',
    '--scope',
    'other:read=Other',
  ]);
  // The operator registers a first-party service with the CLI...
  credentials = await stack.cli([
    'clients',
    'create',
    '--name',
    'reporting-service',
    '--grant',
    'client_credentials',
    '--resource',
    stack.api,
    '--resource',
    'https://other.example.test',
    '--scope',
    'notes:read other:read',
    '--first-party',
  ]);
  // ...and the service configures a real OAuth client library from discovery.
  oidc = await discoverClient(stack.issuer, credentials);
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

const token = async (parameters: Record<string, string>) =>
  (await client.clientCredentialsGrant(oidc, parameters)).access_token;

const call = (path: string, accessToken: string, init: RequestInit = {}) =>
  fetch(`${stack.api}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${accessToken}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });

// openid-client reports a 401 with a WWW-Authenticate challenge (what oidc-provider sends for a
// failed HTTP Basic authentication) as a challenge error, other OAuth errors as a body error.
const oauthError = async (work: Promise<unknown>) => {
  const error: unknown = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof client.WWWAuthenticateChallengeError) {
    return error.cause[0]?.parameters.error;
  }
  return error instanceof client.ResponseBodyError ? error.error : undefined;
};

test('a token with notes:read reads the API: /me and /notes answer 200', async (t) => {
  const accessToken = await token({ scope: 'notes:read', resource: stack.api });
  const me = await call('/me', accessToken);
  t.is(me.status, 200);
  t.deepEqual(await me.json(), {
    sub: credentials.client_id,
    client_id: credentials.client_id,
    scope: 'notes:read',
  });
  const notes = await call('/notes', accessToken);
  t.is(notes.status, 200);
  t.true(Array.isArray(await notes.json()));
});

test('writing with a read-only token is 403 insufficient_scope', async (t) => {
  const accessToken = await token({ scope: 'notes:read', resource: stack.api });
  const response = await call('/notes', accessToken, {
    method: 'POST',
    body: JSON.stringify({ text: 'hi' }),
  });
  t.is(response.status, 403);
  const challenge = response.headers.get('www-authenticate') ?? '';
  t.regex(challenge, /^Bearer /);
  t.regex(challenge, /error="insufficient_scope"/);
  t.regex(challenge, /scope="notes:write"/);
});

test('a tampered token is 401 invalid_token', async (t) => {
  const accessToken = await token({ scope: 'notes:read', resource: stack.api });
  const [header, payload, signature] = accessToken.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  claims.scope = 'notes:read notes:write';
  const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
  const response = await call('/notes', forged, {
    method: 'POST',
    body: JSON.stringify({ text: 'x' }),
  });
  t.is(response.status, 401);
  t.regex(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
});

test('an expired token, signed by the real key, is 401 invalid_token', async (t) => {
  const [key] = (
    await loadSigningKeys(createKeysRepository(database.db), stack.config.keyEncryptionKey)
  ).filter((k) => k.alg === 'ES256');
  const now = Math.floor(Date.now() / 1000);
  const expired = await new SignJWT({
    client_id: credentials.client_id,
    scope: 'notes:read',
    jti: 'expired-1',
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key?.kid as string })
    .setIssuer(stack.issuer)
    .setAudience(stack.api)
    .setSubject(credentials.client_id)
    .setIssuedAt(now - 3600)
    .setExpirationTime(now - 600)
    .sign(await importJWK(key as never, 'ES256'));
  const response = await call('/me', expired);
  t.is(response.status, 401);
  t.regex(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
});

test('a token for another audience is 401 invalid_token', async (t) => {
  const accessToken = await token({ scope: 'other:read', resource: 'https://other.example.test' });
  const response = await call('/me', accessToken);
  t.is(response.status, 401);
  t.regex(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
});

test('no token at all is 401 with a bare Bearer challenge', async (t) => {
  const response = await fetch(`${stack.api}/me`);
  t.is(response.status, 401);
  const challenge = response.headers.get('www-authenticate') ?? '';
  t.regex(challenge, /^Bearer realm="/);
  t.notRegex(challenge, /error=/);
});

test('a wrong secret is invalid_client', async (t) => {
  const wrong = await client.discovery(
    new URL(stack.issuer),
    credentials.client_id,
    undefined,
    client.ClientSecretBasic(`${credentials.client_secret}x`),
    { execute: [client.allowInsecureRequests] },
  );
  t.is(
    await oauthError(client.clientCredentialsGrant(wrong, { resource: stack.api })),
    'invalid_client',
  );
});

test('an unknown resource is invalid_target', async (t) => {
  t.is(await oauthError(token({ resource: 'https://unknown.example.test' })), 'invalid_target');
});

test('a scope the client may not have is invalid_scope', async (t) => {
  t.is(await oauthError(token({ scope: 'notes:write', resource: stack.api })), 'invalid_scope');
});
