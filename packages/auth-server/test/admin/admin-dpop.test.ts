import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import { ADMIN_RESOURCE, createAdminClient } from '../../src/index.ts';
import { adminFetch, startAdminServer } from './admin-fixtures.ts';

let database: TestDatabase;
let api: string;
let issuer: string;
let close: () => Promise<void>;

test.before(async () => {
  database = await createTestDatabase();
  const started = await startAdminServer(database);
  ({ api } = started);
  issuer = started.url;
  close = () => started.server.close();
});
test.after.always(async () => {
  await close?.();
  await database?.drop();
});

test('a DPoP-bound admin client (what the docs recommend) calls the API with its proof; the token alone is refused', async (t) => {
  const created = await createAdminClient(database.db, {
    name: 'dpop-operator',
    scopes: ['admin:read'],
    dpopBoundAccessTokens: true,
  });
  const config = await client.discovery(
    new URL(issuer),
    created.client.id,
    undefined,
    client.ClientSecretBasic(created.clientSecret as string),
    { execute: [client.allowInsecureRequests] },
  );
  const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair());
  const { access_token: token, token_type: type } = await client.clientCredentialsGrant(
    config,
    { scope: 'admin:read', resource: ADMIN_RESOURCE },
    { DPoP },
  );
  t.is(type.toLowerCase(), 'dpop');
  const response = await client.fetchProtectedResource(
    config,
    token,
    new URL(`${api}/clients`),
    'GET',
    undefined,
    undefined,
    { DPoP },
  );
  t.is(response.status, 200);
  const body = (await response.json()) as { items: Array<{ name: string }> };
  t.true(body.items.some((c) => c.name === 'dpop-operator'));

  // Stolen without its key, the token is worth nothing: as Bearer it is refused.
  const stolen = await adminFetch(api, '/clients', { token });
  t.is(stolen.response.status, 401);
  t.is(stolen.json.type, 'urn:portcullis:problem:unauthorized');
});
