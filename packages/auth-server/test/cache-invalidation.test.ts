import { randomBytes } from 'node:crypto';
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

test('a client deleted by another process stops working on every running server within 1 s', async (t) => {
  // Replicas share the key-encryption key, as they share the database.
  const shared = { PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url') };
  const servers = [];
  for (let i = 0; i < 2; i += 1) {
    const started = await startAuthServer(database, shared);
    t.teardown(() => started.server.close());
    servers.push(started);
  }
  const client = await seedClient(database);
  for (const { url } of servers) {
    const { response } = await tokenRequest(url, client, { grant_type: 'client_credentials' });
    t.is(response.status, 200, 'each server now holds the client in its cache');
  }

  const deletedAt = Date.now();
  await createClientsService(database.db).delete(client.clientId);
  for (const { url } of servers) {
    let status = 200;
    while (status === 200 && Date.now() - deletedAt < 1000) {
      status = (await tokenRequest(url, client, { grant_type: 'client_credentials' })).response
        .status;
    }
    t.is(status, 401, `${url} refused the deleted client within a second`);
  }
});
