import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
// The shared `until` (wait for a condition) as `waitUntil`: this file's own `until` compares answers.
import { type Stack, startStack, until as waitUntil } from '../src/index.ts';

// Secret rotation against a running server: during the overlap both secrets work, after it only
// the new one; `--keep-old 0` stops the old one within a second, and so does `remove-secret`.

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

interface Rotated {
  client_secret: string;
  expiring: Array<{ name: string; expires_at: string }>;
}

async function register(name: string) {
  return stack.cli<{ client_id: string; client_secret: string }>([
    'clients',
    'create',
    '--name',
    name,
    '--grant',
    'client_credentials',
    '--resource',
    stack.api,
    '--first-party',
  ]);
}

/** `ok`, or the OAuth error of a client-credentials request with this secret. */
async function tokenWith(clientId: string, secret: string): Promise<string> {
  const config = await client.discovery(
    new URL(stack.issuer),
    clientId,
    undefined,
    client.ClientSecretBasic(secret),
    { execute: [client.allowInsecureRequests] },
  );
  try {
    await client.clientCredentialsGrant(config, { resource: stack.api });
    return 'ok';
  } catch (error) {
    if (error instanceof client.WWWAuthenticateChallengeError) {
      return error.cause[0]?.parameters.error ?? 'challenge';
    }
    if (error instanceof client.ResponseBodyError) return error.error;
    throw error;
  }
}

/** Repeats `attempt` until it gives `expected`, for at most `ms` after the change. */
async function until(attempt: () => Promise<string>, expected: string, ms = 1000) {
  const changedAt = Date.now();
  let last = await attempt();
  while (last !== expected && Date.now() - changedAt < ms) last = await attempt();
  return last;
}

test('during the overlap both secrets work; the new one within a second', async (t) => {
  const created = await register('overlap');
  t.is(await tokenWith(created.client_id, created.client_secret), 'ok', 'cached with one secret');

  const rotated = await stack.cli<Rotated>(['clients', 'rotate-secret', created.client_id]);
  t.deepEqual(
    rotated.expiring.map((s) => s.name),
    ['initial'],
  );
  t.is(await until(() => tokenWith(created.client_id, rotated.client_secret), 'ok'), 'ok');
  t.is(await tokenWith(created.client_id, created.client_secret), 'ok', 'the old one still works');
  t.is(await tokenWith(created.client_id, `${rotated.client_secret}x`), 'invalid_client');

  const secrets = await stack.cli<Array<{ name: string; last_used_at: string | null }>>([
    'clients',
    'secrets',
    created.client_id,
  ]);
  t.deepEqual(
    secrets.map((s) => s.name),
    ['secret-2', 'initial'],
  );
});

test('--keep-old 0 stops the old secret within a second; the new one keeps working', async (t) => {
  const created = await register('leaked');
  t.is(await tokenWith(created.client_id, created.client_secret), 'ok');
  const rotated = await stack.cli<Rotated>([
    'clients',
    'rotate-secret',
    created.client_id,
    '--keep-old',
    '0',
  ]);
  t.is(
    await until(() => tokenWith(created.client_id, created.client_secret), 'invalid_client'),
    'invalid_client',
  );
  t.is(await tokenWith(created.client_id, rotated.client_secret), 'ok');
});

test('an old secret stops at the end of the overlap, with no further change announced', async (t) => {
  const created = await register('short-overlap');
  const rotated = await stack.cli<Rotated>([
    'clients',
    'rotate-secret',
    created.client_id,
    '--keep-old',
    '3s',
  ]);
  t.is(await until(() => tokenWith(created.client_id, rotated.client_secret), 'ok'), 'ok');
  // The server already holds both secrets; nothing tells it when the old one expires.
  const expiresAt = Date.parse(rotated.expiring[0]?.expires_at as string);
  t.is(await tokenWith(created.client_id, created.client_secret), 'ok');
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now())));
  t.is(
    await until(() => tokenWith(created.client_id, created.client_secret), 'invalid_client', 3000),
    'invalid_client',
  );
  t.is(await tokenWith(created.client_id, rotated.client_secret), 'ok');
});

test('remove-secret stops the removed secret within a second; the other keeps working', async (t) => {
  const created = await register('two-secrets');
  const rotated = await stack.cli<Rotated>(['clients', 'rotate-secret', created.client_id]);
  // Both work, and the server holds the client (with both secrets) in its cache.
  t.is(await until(() => tokenWith(created.client_id, rotated.client_secret), 'ok'), 'ok');
  t.is(await tokenWith(created.client_id, created.client_secret), 'ok');

  const removed = await stack.cli<{ name: string }>([
    'clients',
    'remove-secret',
    created.client_id,
    'initial',
    '--yes',
  ]);
  t.is(removed.name, 'initial');
  await waitUntil(
    'the removed secret gets invalid_client',
    async () => (await tokenWith(created.client_id, created.client_secret)) === 'invalid_client',
    1,
  );
  t.is(await tokenWith(created.client_id, rotated.client_secret), 'ok');
  const secrets = await stack.cli<Array<{ name: string }>>([
    'clients',
    'secrets',
    created.client_id,
  ]);
  t.deepEqual(
    secrets.map((s) => s.name),
    ['secret-2'],
  );
});
