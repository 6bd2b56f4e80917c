import { type RunningExampleApi, startExampleApi } from '@portcullis/example-api';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import { discoverClient, type Stack, startStack, until } from '../src/index.ts';
import { type Forwarder, startForwarder } from './revocation-feed-fixtures.ts';

// The example API follows the revocation feed through a forwarder the test takes down: it keeps
// serving on what it holds for the grace (5 s here), then answers 503, and once the feed is back
// it catches up from its cursor, revocations made during the outage included.

const GRACE_SECONDS = 5;

let database: TestDatabase;
let stack: Stack;
let lb: Forwarder;
let api: RunningExampleApi;

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

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  const notesApi = await m2m('notes-api');
  await stack.cli(['resources', 'update', stack.api, '--introspection-client', notesApi.client_id]);
  lb = await startForwarder([stack.issuer]);
  api = await startExampleApi({
    issuer: stack.issuer,
    audience: stack.api,
    port: await freePort(),
    revocationFeed: {
      endpoint: `${lb.url}/revocations`,
      clientId: notesApi.client_id,
      clientSecret: notesApi.client_secret,
      graceSeconds: GRACE_SECONDS,
    },
  });
});
test.after.always(async () => {
  await api?.close();
  await lb?.close();
  await stack?.stop();
  await database?.drop();
});

async function clientToken(credentials: { client_id: string; client_secret: string }) {
  const config = await discoverClient(stack.issuer, credentials);
  return (await client.clientCredentialsGrant(config, { scope: 'notes:read', resource: stack.api }))
    .access_token;
}

const me = async (token: string) => {
  const response = await fetch(`${api.url}/me`, { headers: { authorization: `Bearer ${token}` } });
  await response.body?.cancel();
  return response;
};

test('feed outage: the grace, then 503, then recovery with what was revoked meanwhile', async (t) => {
  const reporting = await m2m('reporting');
  const keeper = await m2m('keeper');
  const revokedMeanwhile = await clientToken(reporting);
  const kept = await clientToken(keeper);
  await until('the API follows the feed', () => api.revocationFeed()?.status === 'following');
  t.is((await me(revokedMeanwhile)).status, 200);
  t.is((await me(kept)).status, 200);

  lb.down();
  await until('the API notices the feed is gone', () => api.revocationFeed()?.status === 'grace');
  // A revocation the API cannot hear of yet.
  await stack.cli(['clients', 'disable', reporting.client_id]);
  t.is((await me(kept)).status, 200, 'within the grace: served on what it holds');

  await until(
    'the grace is over',
    () => api.revocationFeed()?.status === 'unavailable',
    GRACE_SECONDS + 10,
  );
  const refused = await fetch(`${api.url}/me`, { headers: { authorization: `Bearer ${kept}` } });
  t.is(refused.status, 503, 'after the grace: fail closed');
  t.truthy(refused.headers.get('retry-after'));
  t.like(await refused.json(), { error: 'temporarily_unavailable' });

  lb.up();
  await until('the API follows the feed again', () => api.revocationFeed()?.status === 'following');
  t.is((await me(kept)).status, 200, 'recovered: valid tokens are served again');
  // The feed answers from the cursor the API held: the revocation made during the outage.
  t.is((await me(revokedMeanwhile)).status, 401, 'the outage did not lose a revocation');
});
