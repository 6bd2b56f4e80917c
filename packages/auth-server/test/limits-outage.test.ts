import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { createDatabase, migrateLatest, startEmbeddedPostgres } from '@portcullis/storage';
import test from 'ava';
import { createAuthServer, createClientsService, silentLogger } from '../src/index.ts';
import { seedResource, testConfig, tokenRequest } from './helpers.ts';

// Stops the PostgreSQL under a running server: the limits never turn a request into a 500.
// Failed client authentication fails open (401, uncounted: only failures are counted, so no
// legitimate client depends on the counters); sign-in fails closed (503, as for any outage).
test('PostgreSQL down: failed client authentication is still 401, sign-in is 503, and counting resumes', async (t) => {
  await mkdir('.portcullis', { recursive: true });
  const dir = await mkdtemp(path.resolve('.portcullis', 'limits-outage-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  let pg = await startEmbeddedPostgres(dir);
  t.teardown(() => pg.stop());
  const db = createDatabase(pg.url, { acquireTimeoutMs: 500 });
  t.teardown(() => db.destroy());
  await migrateLatest(db);
  await seedResource({ url: pg.url, db, drop: async () => {} });
  const created = await createClientsService(db).create({
    name: 'limited',
    grants: ['client_credentials'],
    resources: ['https://api.example.test'],
  });
  const client = { clientId: created.client.id, clientSecret: created.clientSecret as string };
  const wrong = { ...client, clientSecret: 'wrong' };
  const grant = { grant_type: 'client_credentials' };

  const server = await createAuthServer({
    db,
    // The change listener on the suite's PostgreSQL, which stays up: a reconnect racing the
    // shutdown would empty the client cache, and the provider would then answer 503 itself
    // (rightly) before any limit is consulted. Here the client stays cached.
    databaseUrl: process.env.DATABASE_URL as string,
    config: testConfig({ PORTCULLIS_LIMIT_CLIENT_AUTH: '2/1m' }),
    logger: silentLogger,
  });
  t.teardown(() => server.close());
  const { url } = await server.listen();
  // Cached for good: createAuthServer resolved once its listener listened, so the listener's
  // first connection, which empties the caches, cannot come after this request.
  t.is((await tokenRequest(url, client, grant)).response.status, 200, 'the client is cached');
  const form = await fetch(`${url}/account`);
  const cookie = form.headers
    .getSetCookie()
    .map((line) => line.split(';', 1)[0])
    .join('; ');
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] as string;

  await pg.stop();
  for (let i = 0; i < 3; i += 1) {
    const failed = await tokenRequest(url, wrong, grant);
    t.is(failed.response.status, 401, `failure ${i + 1} while down`);
    t.is(failed.json.error, 'invalid_client');
  }
  t.is((await tokenRequest(url, client, grant)).response.status, 200, 'the right secret works');
  const signIn = await fetch(`${url}/account/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, username: 'anyone', password: 'anything' }),
  });
  t.is(signIn.status, 503);
  t.is(signIn.headers.get('retry-after'), '5');

  pg = await startEmbeddedPostgres(dir);
  let ready = 0;
  for (let attempt = 0; attempt < 50 && ready !== 200; attempt += 1) {
    ready = (await fetch(`${url}/readyz`)).status;
    if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  t.is(ready, 200);
  const statuses = [];
  for (let i = 0; i < 3; i += 1)
    statuses.push((await tokenRequest(url, wrong, grant)).response.status);
  t.deepEqual(statuses, [401, 401, 429], 'the outage counted nothing; counting resumed');
});
