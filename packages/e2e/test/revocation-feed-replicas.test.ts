import {
  type AuthServer,
  createAuthServer,
  loadServerConfig,
  silentLogger,
} from '@portcullis/auth-server';
import { type RunningExampleApi, startExampleApi } from '@portcullis/example-api';
import { publishRevocations } from '@portcullis/storage';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test, { type ExecutionContext } from 'ava';
import * as client from 'openid-client';
import { discoverClient, type Stack, startStack, until } from '../src/index.ts';
import { type Forwarder, startForwarder } from './revocation-feed-fixtures.ts';

// Three authorization-server replicas on one database behind a round-robin forwarder: each long
// poll of the example API lands on another replica, revocations are made on any of them (or by
// the CLI, on none), a replica is stopped and another started, and every revocation is still
// refused at the API within 2 s. Then 10,000 revocations go through the feed.

let database: TestDatabase;
let stack: Stack;
const replicas: AuthServer[] = [];
let lb: Forwarder;
let api: RunningExampleApi;
let notesApi: { client_id: string; client_secret: string };

const m2m = (name: string) =>
  stack.cli<{ client_id: string; client_secret: string }>([
    'clients',
    'create',
    '--name',
    name,
    '--grant',
    'client_credentials',
    '--resource',
    stack.api,
    '--scope',
    'notes:read',
  ]);

/** Another replica: the same issuer, configuration and database, a port of its own. */
async function startReplica(): Promise<{ server: AuthServer; url: string }> {
  const port = await freePort();
  const config = loadServerConfig(
    {
      PORTCULLIS_PORT: String(port),
      PORTCULLIS_ISSUER: stack.issuer,
      PORTCULLIS_COOKIE_KEYS: stack.config.cookieKeys.join(','),
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
  replicas.push(server);
  return { server, url: (await server.listen()).url };
}

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  notesApi = await m2m('notes-api');
  await stack.cli(['resources', 'update', stack.api, '--introspection-client', notesApi.client_id]);
  const second = await startReplica();
  const third = await startReplica();
  lb = await startForwarder([stack.issuer, second.url, third.url]);
  api = await startExampleApi({
    issuer: stack.issuer,
    audience: stack.api,
    port: await freePort(),
    revocationFeed: {
      endpoint: `${lb.url}/revocations`,
      clientId: notesApi.client_id,
      clientSecret: notesApi.client_secret,
      // Short polls: the forwarder moves the API from replica to replica often.
      waitSeconds: 1,
    },
  });
});
test.after.always(async () => {
  await api?.close();
  await lb?.close();
  for (const replica of replicas) await replica.close();
  await stack?.stop();
  await database?.drop();
});

async function clientToken(credentials: { client_id: string; client_secret: string }) {
  const config = await discoverClient(stack.issuer, credentials);
  return (await client.clientCredentialsGrant(config, { scope: 'notes:read', resource: stack.api }))
    .access_token;
}

const status = async (token: string) => {
  const response = await fetch(`${api.url}/me`, { headers: { authorization: `Bearer ${token}` } });
  await response.body?.cancel();
  return response.status;
};

async function refusedWithin2s(t: ExecutionContext, token: string, what: string) {
  await until(
    `the API refuses the token after ${what}`,
    async () => (await status(token)) === 401,
    2,
  );
  t.pass(what);
}

// RFC 7009 at one replica, by its own URL: a JWT access token revoked by its client.
async function revokeAt(
  replica: string,
  token: string,
  credentials: { client_id: string; client_secret: string },
) {
  const response = await fetch(`${replica}/token/revocation`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${credentials.client_id}:${credentials.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
  });
  await response.body?.cancel();
  return response.status;
}

test.serial(
  'revocations made anywhere reach an API whose polls go round the replicas',
  async (t) => {
    await until('the API follows the feed', () => api.revocationFeed()?.status === 'following');
    const batch = await m2m('batch');
    for (const replica of lb.upstreams) {
      const token = await clientToken(batch);
      t.is(await status(token), 200);
      t.is(await revokeAt(replica, token, batch), 200);
      await refusedWithin2s(t, token, `a revocation at ${replica}`);
    }
    const cron = await m2m('cron');
    const token = await clientToken(cron);
    t.is(await status(token), 200);
    await stack.cli(['clients', 'disable', cron.client_id]);
    await refusedWithin2s(t, token, 'the CLI (no server involved)');
    t.deepEqual(
      new Set(lb.served),
      new Set(lb.upstreams),
      'every replica answered some of the polls',
    );
  },
);

test.serial('a replica stopped and another started: the cursor carries on', async (t) => {
  const [second] = replicas;
  const secondUrl = lb.upstreams[1] as string;
  lb.upstreams = lb.upstreams.filter((url) => url !== secondUrl);
  await second?.close();
  const started = await startReplica();
  lb.upstreams = [...lb.upstreams, started.url];
  await until('the new replica answers a poll', () => lb.served.includes(started.url), 10);
  const nightly = await m2m('nightly');
  const token = await clientToken(nightly);
  t.is(await status(token), 200);
  await stack.cli(['clients', 'delete', nightly.client_id, '--yes']);
  await refusedWithin2s(t, token, 'a revocation after the restart');
});

test.serial(
  '10,000 revocations: held within the cap, at the default cap and at a small one',
  async (t) => {
    // A second API with a cap of 1,000, following the same feed from the start.
    const small = await startExampleApi({
      issuer: stack.issuer,
      audience: stack.api,
      port: await freePort(),
      revocationFeed: {
        endpoint: `${lb.url}/revocations`,
        clientId: notesApi.client_id,
        clientSecret: notesApi.client_secret,
        maxEntries: 1000,
      },
    });
    t.teardown(() => small.close());
    const earlier = await clientToken(await m2m('before-bulk'));
    const before = api.revocationFeed()?.entries ?? 0;
    await database.db.transaction(async (trx) => {
      await publishRevocations(
        trx,
        Array.from({ length: 10_000 }, (_, i) => ({
          kind: 'token' as const,
          value: `bulk-${i}`,
          expiresAt: new Date(Date.now() + 600_000),
        })),
      );
    });
    await until(
      'both APIs read the 10,000 revocations',
      () =>
        (api.revocationFeed()?.entries ?? 0) >= before + 10_000 &&
        small.revocationFeed()?.cursor === api.revocationFeed()?.cursor,
      60,
    );
    const held = api.revocationFeed()?.entries ?? 0;
    t.is(held, before + 10_000, 'the default cap (100,000) holds them all');
    t.is(small.revocationFeed()?.entries, 1000, 'the small cap holds 1,000, no more');
    t.log(`after 10,000 revocations: ${held} entries held (cap 100,000) and 1,000 (cap 1,000)`);
    // The small API still refuses what it had to drop: tokens issued before the newest dropped
    // revocation, by issue time; a token issued later works.
    t.is(await status(earlier), 200, 'the big API holds every revocation: a token not named works');
    const overflowed = await fetch(`${small.url}/me`, {
      headers: { authorization: `Bearer ${earlier}` },
    });
    t.is(overflowed.status, 401, 'the small one refuses a token issued before what it dropped');
    await overflowed.body?.cancel();
    const later = await m2m('after-bulk');
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const fresh = await clientToken(later);
    const response = await fetch(`${small.url}/me`, {
      headers: { authorization: `Bearer ${fresh}` },
    });
    t.is(response.status, 200);
    await response.body?.cancel();
  },
);
