import { createDatabase, migrateLatest, startEmbeddedPostgres } from '@portcullis/storage';
import { createEmbeddedDataDir } from '@portcullis/storage/testing';
import test from 'ava';
import {
  createAuthServer,
  createClientsService,
  createResourcesService,
  silentLogger,
} from '../src/index.ts';
import { API, seedResource, testConfig, tokenRequest } from './helpers.ts';

// The revocation feed and RFC 7009 revocation of a JWT access token with PostgreSQL stopped under
// a running server: 503 with Retry-After, never a 500, never a 200 for a revocation that did not
// happen; both recover when the database returns.
test('revocation feed and JWT revocation during a database outage: 503, then recovery', async (t) => {
  const { dir, remove } = await createEmbeddedDataDir('feed-outage-test');
  t.teardown(remove);
  let pg = await startEmbeddedPostgres(dir);
  t.teardown(() => pg.stop());
  const db = createDatabase(pg.url, { acquireTimeoutMs: 1000 });
  t.teardown(() => db.destroy());
  await migrateLatest(db);
  await seedResource({ url: pg.url, db, drop: async () => {} });
  const created = await createClientsService(db).create({
    name: 'feed-outage',
    grants: ['client_credentials'],
    scopes: ['notes:read'],
    resources: [API],
    firstParty: true,
  });
  const reader = { clientId: created.client.id, clientSecret: created.clientSecret as string };
  await createResourcesService(db).update(API, { introspectionClients: [reader.clientId] });

  const server = await createAuthServer({
    db,
    databaseUrl: pg.url,
    config: testConfig(),
    logger: silentLogger,
  });
  t.teardown(() => server.close());
  const { url } = await server.listen();
  const basic = `Basic ${Buffer.from(`${reader.clientId}:${reader.clientSecret}`).toString('base64')}`;
  const feed = () => fetch(`${url}/revocations?wait=0`, { headers: { authorization: basic } });
  t.is((await feed()).status, 200);
  const issued = await tokenRequest(url, reader, {
    grant_type: 'client_credentials',
    scope: 'notes:read',
    resource: API,
  });
  const accessToken = issued.json.access_token as string;
  const revoke = () =>
    fetch(`${url}/token/revocation`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: accessToken }),
    });

  await pg.stop();
  const down = await feed();
  t.is(down.status, 503);
  t.is(down.headers.get('retry-after'), '5');
  t.like(await down.json(), { error: 'temporarily_unavailable' });
  const refused = await revoke();
  t.is(refused.status, 503, 'never 200 for a revocation that was not written');
  t.is(refused.headers.get('retry-after'), '5');

  pg = await startEmbeddedPostgres(dir);
  let status = 0;
  for (let attempt = 0; attempt < 50 && status !== 200; attempt += 1) {
    status = (await revoke()).status;
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  t.is(status, 200, 'revocation recovered');
  const page = (await (await feed()).json()) as { revocations: Array<{ kind: string }> };
  t.deepEqual(
    page.revocations.map((entry) => entry.kind),
    ['token'],
    'the feed recovered, with the revocation made after the outage',
  );
});
