// Runs the Portcullis stack in its own process for the benchmark, on a fresh database next to
// DATABASE_URL, registers a client, and prints what the load generator needs as one JSON line.
import { startExampleApi } from '@portcullis/example-api';
import { createTestDatabase, freePort } from '@portcullis/storage/testing';
import { startStack } from '../src/index.ts';

const database = await createTestDatabase();
const stack = await startStack(database.db, database.url);
const client = await stack.cli<{ client_id: string; client_secret: string }>([
  'clients',
  'create',
  '--name',
  'bench',
  '--grant',
  'client_credentials',
  '--resource',
  stack.api,
  '--scope',
  'notes:read notes:write',
  '--first-party',
]);
const basic = Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64');
const response = await fetch(`${stack.issuer}/token`, {
  method: 'POST',
  headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
  body: 'grant_type=client_credentials&scope=notes%3Aread',
});
const { access_token: accessToken } = (await response.json()) as { access_token: string };
// For the browser-flow scenario: a user and a third-party app (consent every time).
await stack.cli(
  ['users', 'create', '--username', 'bench-user', '--password-stdin'],
  'bench-user-password\n',
);
const app = await stack.cli<{ client_id: string; client_secret: string }>([
  'clients',
  'create',
  '--name',
  'bench-app',
  '--grant',
  'authorization_code',
  '--redirect-uri',
  'http://127.0.0.1:9/callback',
  '--resource',
  stack.api,
  '--scope',
  'openid notes:read',
]);
// The same example API with the verified-token cache off: every request verified in full.
const uncached = await startExampleApi({
  issuer: stack.issuer,
  audience: stack.api,
  jwksUri: `${stack.issuer}/jwks`,
  cache: false,
  port: await freePort(),
});
process.stdout.write(
  `${JSON.stringify({ issuer: stack.issuer, api: stack.api, uncachedApi: uncached.url, basic, accessToken, appId: app.client_id, appSecret: app.client_secret })}\n`,
);

process.on('SIGTERM', async () => {
  await uncached.close();
  await stack.stop();
  await database.drop();
  process.exit(0);
});
