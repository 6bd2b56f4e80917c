import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { createClientsService } from '../src/index.ts';
import { seedClient, seedResource, startAuthServer, tokenRequest } from './helpers.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
  await seedResource(database);
});
test.after.always(async () => {
  await database?.drop();
});

const expiresIn = async (url: string, client: { clientId: string; clientSecret: string }) => {
  const { response, json } = await tokenRequest(url, client, { grant_type: 'client_credentials' });
  if (response.status !== 200) return response.status;
  return json.expires_in as number;
};

test('a cached client object is reused until the client changes, then the change is served', async (t) => {
  const { server, url } = await startAuthServer(database);
  t.teardown(() => server.close());
  const client = await seedClient(database);
  const before = await expiresIn(url, client);
  t.is(typeof before, 'number');
  const provider = server.provider;
  const first = await provider.Client.find(client.clientId);
  t.truthy(first);
  t.is(await provider.Client.find(client.clientId), first, 'the same object while unchanged');

  await createClientsService(database.db).update(client.clientId, { accessTokenTtl: '2m' });
  // The change reaches the server's cache by PostgreSQL's NOTIFY: ask until it has.
  let seen = before;
  for (let attempt = 0; attempt < 100 && seen !== 120; attempt += 1) {
    seen = await expiresIn(url, client);
    if (seen !== 120) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.is(seen, 120, "the client's new access-token lifetime is served");
  const changed = await provider.Client.find(client.clientId);
  t.not(changed, first, 'a new client object for the new metadata');
  t.is(await provider.Client.find(client.clientId), changed);

  await createClientsService(database.db).disable(client.clientId);
  let status: number | undefined;
  for (let attempt = 0; attempt < 100 && status !== 401; attempt += 1) {
    const answer = await expiresIn(url, client);
    status = answer === 401 ? 401 : undefined;
    if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.is(status, 401, 'a disabled client is refused, not served from the kept object');
  t.is(await provider.Client.find(client.clientId), undefined);
});
