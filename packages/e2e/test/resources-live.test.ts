import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import {
  discoverClient,
  oauthError,
  type Stack,
  startStack,
  withinOneSecond,
} from '../src/index.ts';

// Changes made with `portcullis resources ...` reach the running authorization server through
// LISTEN/NOTIFY: its resource registry drops the cached resource within a second.

let database: TestDatabase;
let stack: Stack;
test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

let next = 0;
async function setUp(scopes: string[]) {
  next += 1;
  const identifier = `https://live-${next}.example.test`;
  await stack.cli([
    'resources',
    'create',
    '--identifier',
    identifier,
    '--name',
    `Live ${next}`,
    ...scopes.flatMap((s) => ['--scope', `${s}=The ${s} scope`]),
  ]);
  const credentials = await stack.cli<{ client_id: string; client_secret: string }>([
    'clients',
    'create',
    '--name',
    `live-client-${next}`,
    '--grant',
    'client_credentials',
    '--resource',
    identifier,
    '--scope',
    scopes.join(' '),
  ]);
  const config = await discoverClient(stack.issuer, credentials);
  const token = (scope: string) =>
    client.clientCredentialsGrant(config, { resource: identifier, scope });
  return { identifier, token };
}

test.serial('a new lifetime and format reach the running server within a second', async (t) => {
  const { identifier, token } = await setUp(['live:read']);
  const before = await token('live:read');
  const claims = decodeJwt(before.access_token);
  t.is((claims.exp as number) - (claims.iat as number), 600, 'a JWT living the default 10 minutes');

  await stack.cli([
    'resources',
    'update',
    identifier,
    '--access-token-ttl',
    '5m',
    '--format',
    'opaque',
  ]);
  const after = await withinOneSecond(
    () => token('live:read'),
    (response) => !response.access_token.includes('.'),
  );
  t.regex(after.access_token, /^[\w-]{43}$/, 'opaque within a second');
  t.is(after.expires_in, 300);

  await stack.cli([
    'resources',
    'update',
    identifier,
    '--format',
    'jwt',
    '--access-token-ttl',
    '2m',
  ]);
  const back = await withinOneSecond(
    () => token('live:read'),
    (response) => response.access_token.includes('.'),
  );
  const jwt = decodeJwt(back.access_token);
  t.is((jwt.exp as number) - (jwt.iat as number), 120);
  t.is(jwt.aud, identifier);
});

test.serial('a removed scope is refused within a second; the others keep working', async (t) => {
  const { identifier, token } = await setUp(['live:read', 'live:old']);
  t.is((await token('live:old')).scope, 'live:old');
  await stack.cli(['resources', 'update', identifier, '--remove-scope', 'live:old']);
  const error = await withinOneSecond(
    () => oauthError(token('live:old')),
    (answer) => answer !== 'no error',
  );
  t.is(error, 'invalid_scope');
  t.is((await token('live:read')).scope, 'live:read', 'the other scope still works');
});

test.serial('a deleted resource is an invalid target within a second', async (t) => {
  const { identifier, token } = await setUp(['live:read']);
  await token('live:read');
  await stack.cli(['resources', 'delete', identifier, '--force', '--yes']);
  const error = await withinOneSecond(
    () => oauthError(token('live:read')),
    (answer) => answer !== 'no error',
  );
  t.is(error, 'invalid_target');
});
