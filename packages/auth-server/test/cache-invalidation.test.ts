import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { createAuthServer, createClientsService, silentLogger } from '../src/index.ts';
import { seedClient, seedResource, startAuthServer, testConfig, tokenRequest } from './helpers.ts';

// Servers on one database share its key-encryption key, as replicas do.
const shared = { PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url') };

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
  await seedResource(database);
});
test.after.always(async () => {
  await database?.drop();
});

test('a client deleted by another process stops working on every running server within 1 s', async (t) => {
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

// The listener's first connection empties the caches (changes announced before it went unheard).
// A server handed out before that would have it empty them under requests already served.
test('the server is handed out only once it listens for changes; a first connection that fails fails the start', async (t) => {
  // Where the listener connects: a peer that accepts and never answers, then hangs up.
  const silent = net.createServer();
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  t.teardown(() => new Promise<void>((resolve) => silent.close(() => resolve())));
  const { port } = silent.address() as net.AddressInfo;
  const connection = once(silent, 'connection') as Promise<[net.Socket]>;

  let settled = false;
  const creating = createAuthServer({
    db: database.db,
    databaseUrl: `postgres://nobody@127.0.0.1:${port}/nothing`,
    config: testConfig(shared),
    logger: silentLogger,
  }).finally(() => {
    settled = true;
  });
  t.teardown(async () => (await creating.catch(() => undefined))?.close());
  const [socket] = await connection;
  const handedOut = settled;
  socket.destroy();
  t.false(handedOut, 'not handed out while the listener waits for its connection');
  await t.throwsAsync(creating, { message: /terminated/i });
});
