import { randomBytes } from 'node:crypto';
import {
  type AuthServer,
  createAuthServer,
  loadServerConfig,
  silentLogger,
} from '@portcullis/auth-server';
import { createAuditRepository } from '@portcullis/storage';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import { discoverClient, inputValue, type Stack, startStack } from '../src/index.ts';

const PASSWORD = 'kim-uses-a-long-password';

// Two authorization servers on one database, as two replicas: they share the key-encryption
// key and trust X-Forwarded-For (each test names its own addresses, except the busy client's,
// whose requests all come from 127.0.0.1). 3 failures per client, 5 per address, 3 per account.
interface Replica {
  issuer: string;
}
let database: TestDatabase;
let first: Stack;
let second: Replica;
let secondServer: AuthServer;
test.before(async () => {
  database = await createTestDatabase();
  const env = {
    PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    PORTCULLIS_TRUST_PROXY: 'true',
    PORTCULLIS_LIMIT_CLIENT_AUTH: '3/1m',
    PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS: '5/1m',
    PORTCULLIS_LIMIT_SIGNIN: '3/1m',
  };
  first = await startStack(database.db, database.url, env);
  // The second replica: another authorization server process on the same database.
  const port = await freePort();
  const config = loadServerConfig(
    {
      ...env,
      PORTCULLIS_PORT: String(port),
      PORTCULLIS_ISSUER: `http://127.0.0.1:${port}`,
      PORTCULLIS_COOKIE_KEYS: first.config.cookieKeys.join(','),
    },
    { mode: 'development' },
  );
  secondServer = await createAuthServer({
    db: database.db,
    databaseUrl: database.url,
    config,
    logger: silentLogger,
  });
  second = { issuer: (await secondServer.listen()).url };
});
test.after.always(async () => {
  await first?.stop();
  await secondServer?.close();
  await database?.drop();
});

let lastAddress = 0;
/** A documentation address (RFC 5737) no other test uses. */
const newAddress = () => `192.0.2.${++lastAddress}`;

async function createService(): Promise<{ client_id: string; client_secret: string }> {
  return first.cli([
    'clients',
    'create',
    '--name',
    `service-${randomBytes(3).toString('hex')}`,
    '--grant',
    'client_credentials',
    '--resource',
    first.api,
    '--scope',
    'notes:read',
    '--first-party',
  ]);
}

/** A token request with HTTP Basic, from `address` when given: the status and Retry-After. */
async function tokenRequest(issuer: string, clientId: string, secret: string, address?: string) {
  const headers: Record<string, string> = {
    authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
    'content-type': 'application/x-www-form-urlencoded',
  };
  if (address) headers['x-forwarded-for'] = address;
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers,
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: first.api }),
  });
  await response.arrayBuffer();
  return { status: response.status, retryAfter: response.headers.get('retry-after') };
}

/** An openid-client configuration of the client on one server. */
function oidcClient(issuer: string, credentials: { client_id: string; client_secret: string }) {
  return discoverClient(issuer, credentials);
}

test('failed client authentication is counted across replicas', async (t) => {
  const service = await createService();
  const fail = (stack: Replica) =>
    tokenRequest(stack.issuer, service.client_id, 'wrong', newAddress());
  t.is((await fail(first)).status, 401);
  t.is((await fail(second)).status, 401);
  t.is((await fail(first)).status, 401);
  const limited = await fail(second);
  t.is(limited.status, 429, 'the fourth failure, whichever replica it reaches');
  t.true(Number(limited.retryAfter) >= 1);
  t.is((await fail(first)).status, 429);
  const hits = await createAuditRepository(database.db).list({
    type: 'rate_limit.hit',
    clientId: service.client_id,
  });
  t.is(hits.length, 1, 'one lockout, recorded once, by the replica that saw it start');
});

test('a sign-in lockout started on one replica holds on the other', async (t) => {
  await first.cli(['users', 'create', '--username', 'kim', '--password-stdin'], PASSWORD);
  const signIn = async (stack: Replica, password: string) => {
    const headers = { 'x-forwarded-for': newAddress() };
    const form = await fetch(`${stack.issuer}/account`, { headers });
    const cookie = form.headers
      .getSetCookie()
      .map((line) => line.split(';', 1)[0])
      .join('; ');
    const csrf = inputValue(await form.text(), 'csrf') as string;
    const response = await fetch(`${stack.issuer}/account/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, username: 'kim', password }),
    });
    await response.arrayBuffer();
    return response.status;
  };
  t.is(await signIn(first, 'wrong'), 401);
  t.is(await signIn(second, 'wrong'), 401);
  t.is(await signIn(first, 'wrong'), 401);
  t.is(await signIn(second, PASSWORD), 401, 'locked on the replica that saw one failure');
  t.is(await signIn(first, PASSWORD), 401);
});

test('a busy legitimate client never sees a 429, while an attacker using its id and address is limited', async (t) => {
  const service = await createService();
  const configs = await Promise.all([
    oidcClient(first.issuer, service),
    oidcClient(second.issuer, service),
  ]);
  const issued: string[] = [];
  const refusedLegitimately: unknown[] = [];
  const attacker: number[] = [];
  // 10 workers issue 300 tokens on both replicas; between every batch, the attacker fails with
  // the client's id from the same address (127.0.0.1), on both replicas too.
  for (let batch = 0; batch < 30; batch += 1) {
    const tokens = Array.from({ length: 10 }, (_, i) =>
      client
        .clientCredentialsGrant(configs[(batch + i) % 2] as client.Configuration, {
          resource: first.api,
          scope: 'notes:read',
        })
        .then(
          (response) => issued.push(response.access_token),
          (error: unknown) => refusedLegitimately.push(error),
        ),
    );
    const attack = tokenRequest(
      batch % 2 === 0 ? first.issuer : second.issuer,
      service.client_id,
      `guess-${batch}`,
    ).then(({ status }) => attacker.push(status));
    await Promise.all([...tokens, attack]);
  }
  t.deepEqual(refusedLegitimately, []);
  t.is(issued.length, 300);
  t.is(new Set(issued).size, 300);
  t.deepEqual(attacker.slice(0, 3), [401, 401, 401]);
  t.true(
    attacker.slice(3).every((status) => status === 429),
    attacker.join(' '),
  );
});

test('openid-client sees a limited client as invalid_client with status 429', async (t) => {
  const service = await createService();
  for (let i = 0; i < 3; i += 1) {
    await tokenRequest(first.issuer, service.client_id, 'wrong', newAddress());
  }
  const stolen = await oidcClient(second.issuer, { ...service, client_secret: 'a-wrong-guess' });
  const error = await t.throwsAsync(client.clientCredentialsGrant(stolen, { resource: first.api }));
  t.true(error instanceof client.ResponseBodyError, String(error));
  const body = error as client.ResponseBodyError;
  t.is(body.status, 429);
  t.is(body.error, 'invalid_client');
  t.is(body.error_description, 'client authentication failed');
  t.true(Number(body.response.headers.get('retry-after')) >= 1);
});
