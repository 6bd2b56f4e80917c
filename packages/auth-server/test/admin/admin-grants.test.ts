import { createArtifactsRepository, createAuditRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { createClientsService, createUsersService } from '../../src/index.ts';
import { API, seedResource } from '../helpers.ts';
import { adminClient, adminFetch, startAdminServer } from './admin-fixtures.ts';

let database: TestDatabase;
let api: string;
let close: () => Promise<void>;
let operator: Awaited<ReturnType<typeof adminClient>>;
let reader: Awaited<ReturnType<typeof adminClient>>;

test.before(async () => {
  database = await createTestDatabase();
  await seedResource(database);
  const started = await startAdminServer(database);
  ({ api } = started);
  close = () => started.server.close();
  operator = await adminClient(database, started.url, ['admin:users', 'admin:write']);
  reader = await adminClient(database, started.url, ['admin:read']);
});
test.after.always(async () => {
  await close?.();
  await database?.drop();
});

// A grant as oidc-provider stores it after a user's consent, with a token issued from it.
async function storeGrant(grantId: string, accountId: string, clientId: string) {
  const artifacts = createArtifactsRepository(database.db);
  const iat = Math.floor(Date.now() / 1000);
  await artifacts.upsert(
    'Grant',
    grantId,
    {
      kind: 'Grant',
      jti: grantId,
      accountId,
      clientId,
      openid: { scope: 'openid' },
      resources: { [API]: 'notes:read' },
      iat,
    },
    3600,
  );
  await artifacts.upsert(
    'AccessToken',
    `token-of-${grantId}`,
    { kind: 'AccessToken', grantId, accountId, clientId, iat },
    600,
  );
}

async function app(name: string) {
  const { client } = await createClientsService(database.db).create({
    name,
    grants: ['authorization_code'],
    redirectUris: ['https://app.example.test/cb'],
    resources: [API],
    scopes: ['notes:read'],
  });
  return client.id;
}

test("list a user's grants, revoke one, then the rest of one app's, audited consent.revoked via admin_api", async (t) => {
  const user = await createUsersService(database.db).create({
    username: 'carol',
    password: 'a long enough password',
  });
  const [one, two] = [await app('app-one'), await app('app-two')];
  await storeGrant('grant-a', user.id, one);
  await storeGrant('grant-b', user.id, two);
  await storeGrant('grant-c', user.id, two);
  const token = await operator.token();

  const listed = await adminFetch(api, '/users/carol/grants', { token });
  t.is(listed.response.status, 200);
  t.deepEqual(listed.json.items.map((g: { grant_id: string }) => g.grant_id).sort(), [
    'grant-a',
    'grant-b',
    'grant-c',
  ]);
  const a = listed.json.items.find((g: { grant_id: string }) => g.grant_id === 'grant-a');
  t.is(a.client_name, 'app-one');
  t.is(a.scope, 'openid notes:read');
  t.deepEqual(a.resources, { [API]: 'notes:read' });

  const single = await adminFetch(api, '/grants/grant-a', { token, method: 'DELETE' });
  t.is(single.response.status, 200);
  t.deepEqual(single.json, { revoked: 1 });
  const ofApp = await adminFetch(api, `/users/carol/grants?client=${two}`, {
    token,
    method: 'DELETE',
  });
  t.deepEqual(ofApp.json, { revoked: 2 });
  t.deepEqual((await adminFetch(api, '/users/carol/grants', { token })).json.items, []);
  t.is(
    await createArtifactsRepository(database.db).find('AccessToken', 'token-of-grant-b'),
    undefined,
  );

  const events = (
    await createAuditRepository(database.db).list({ type: 'consent.revoked' })
  ).filter((e) => e.actor === `client:${operator.clientId}`);
  t.deepEqual(events.map((e) => e.details.grant_id).sort(), ['grant-a', 'grant-b', 'grant-c']);
  t.true(events.every((e) => e.details.via === 'admin_api'));
});

test('refusals: scopes, an unknown user, an unknown grant', async (t) => {
  const read = await reader.token();
  t.is((await adminFetch(api, '/users/carol/grants', { token: read })).response.status, 403);
  t.is(
    (await adminFetch(api, '/grants/whatever', { token: read, method: 'DELETE' })).response.status,
    403,
  );
  const token = await operator.token();
  const nobody = await adminFetch(api, '/users/nobody/grants', { token });
  t.is(nobody.response.status, 404);
  t.is(nobody.json.type, 'urn:portcullis:problem:not-found');
  const revokeNobody = await adminFetch(api, '/users/nobody/grants', { token, method: 'DELETE' });
  t.is(revokeNobody.response.status, 404);
});
