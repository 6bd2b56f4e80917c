import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import { discoverClient, type Stack, startStack, until } from '../src/index.ts';
import { type AdapterApi, startAdapterApis } from './resource-server-adapters-fixtures.ts';

// The revocation feed is followed by the resource server's core, so every adapter (Koa, Express,
// Fastify, node:http, fetch) refuses a revoked token, one it has cached included, within 2 s.

let database: TestDatabase;
let stack: Stack;
let apis: AdapterApi[] = [];

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
  const feedReader = await m2m('adapters-feed');
  await stack.cli([
    'resources',
    'update',
    stack.api,
    '--introspection-client',
    feedReader.client_id,
  ]);
  apis = await startAdapterApis({
    issuer: stack.issuer,
    audience: stack.api,
    revocationFeed: { clientId: feedReader.client_id, clientSecret: feedReader.client_secret },
  });
});
test.after.always(async () => {
  for (const api of apis) await api.close();
  await stack?.stop();
  await database?.drop();
});

const read = async (api: AdapterApi, token: string) => {
  const response = await fetch(`${api.url}/read`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate') ?? '',
    body: await response.text(),
  };
};

test('a client disabled: every adapter refuses its token within 2 s', async (t) => {
  const batch = await m2m('batch');
  const config = await discoverClient(stack.issuer, batch);
  const { access_token: token } = await client.clientCredentialsGrant(config, {
    scope: 'notes:read',
    resource: stack.api,
  });
  for (const api of apis) t.is((await read(api, token)).status, 200, `${api.name} before`);
  await stack.cli(['clients', 'disable', batch.client_id]);
  // All five at once: each must refuse within 2 s of the revocation.
  const refusals = await Promise.all(
    apis.map(async (api) => {
      let last = { status: 0, challenge: '', body: '' };
      await until(
        `${api.name} refuses the token`,
        async () => {
          last = await read(api, token);
          return last.status === 401;
        },
        2,
      );
      return { name: api.name, challenge: last.challenge };
    }),
  );
  for (const { name, challenge } of refusals) t.regex(challenge, /error="invalid_token"/, name);
});
