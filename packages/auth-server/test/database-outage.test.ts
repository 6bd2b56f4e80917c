import { createDatabase, migrateLatest, startEmbeddedPostgres } from '@portcullis/storage';
import { createEmbeddedDataDir } from '@portcullis/storage/testing';
import test from 'ava';
import { createAuthServer, createClientsService, silentLogger } from '../src/index.ts';
import { seedResource, testConfig, tokenRequest } from './helpers.ts';

// Stops the PostgreSQL under a running server and starts it again: requests that need the
// database get 503 with Retry-After (never a 500), readiness turns red, and both recover.
test('database outage: 503 with Retry-After while down, recovery when it returns', async (t) => {
  const { dir, remove } = await createEmbeddedDataDir('outage-test');
  t.teardown(remove);
  let pg = await startEmbeddedPostgres(dir);
  t.teardown(() => pg.stop());
  const db = createDatabase(pg.url, { acquireTimeoutMs: 1000 });
  t.teardown(() => db.destroy());
  await migrateLatest(db);
  const fake = { url: pg.url, db, drop: async () => {} };
  await seedResource(fake);
  const created = await createClientsService(db).create({
    name: 'outage',
    grants: ['client_credentials'],
    resources: ['https://api.example.test'],
  });
  const client = { clientId: created.client.id, clientSecret: created.clientSecret as string };

  const server = await createAuthServer({
    db,
    databaseUrl: pg.url,
    config: testConfig(),
    logger: silentLogger,
  });
  t.teardown(() => server.close());
  const { url } = await server.listen();

  await pg.stop();
  const unknown = await tokenRequest(
    url,
    { clientId: 'not-cached', clientSecret: 'x' },
    { grant_type: 'client_credentials' },
  );
  t.is(unknown.response.status, 503);
  t.is(unknown.response.headers.get('retry-after'), '5');
  t.is(unknown.json.error, 'temporarily_unavailable');
  const ready = await fetch(`${url}/readyz`);
  t.is(ready.status, 503);
  t.is(ready.headers.get('retry-after'), '5');
  t.is((await fetch(`${url}/healthz`)).status, 200, 'the process itself is alive');

  pg = await startEmbeddedPostgres(dir);
  let status = 0;
  for (let attempt = 0; attempt < 50 && status !== 200; attempt += 1) {
    status = (await tokenRequest(url, client, { grant_type: 'client_credentials' })).response
      .status;
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  t.is(status, 200, 'token issuance recovered');
  t.is((await fetch(`${url}/readyz`)).status, 200);
});

test('database outage on the sign-in page: 503 page with Retry-After, never a 500', async (t) => {
  const { dir, remove } = await createEmbeddedDataDir('outage-page');
  t.teardown(remove);
  const pg = await startEmbeddedPostgres(dir);
  t.teardown(() => pg.stop());
  const db = createDatabase(pg.url, { acquireTimeoutMs: 1000 });
  t.teardown(() => db.destroy());
  await migrateLatest(db);
  const server = await createAuthServer({
    db,
    databaseUrl: pg.url,
    config: testConfig(),
    logger: silentLogger,
  });
  t.teardown(() => server.close());
  const { url } = await server.listen();
  await pg.stop();
  // The sign-in form needs no database; signing in does.
  const form = await fetch(`${url}/account`);
  const cookie = (form.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] as string;
  const page = await fetch(`${url}/account/login`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, username: 'alice', password: 'whatever-password' }),
    redirect: 'manual',
  });
  t.is(page.status, 503);
  t.is(page.headers.get('retry-after'), '5');
  t.regex(await page.text(), /Temporarily unavailable/);
});
