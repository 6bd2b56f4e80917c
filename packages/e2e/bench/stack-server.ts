// Runs the Portcullis stack in its own process for the benchmark and the load test, on a fresh
// database next to DATABASE_URL, registers its clients, and prints what the load generator needs
// as one JSON line. The authorization server logs as `serve` does in production: one JSON line per
// request (the access log) and its other lines, to this process's stderr, which the benchmark
// points at a file (BENCH_LOG_FILE) so that the log costs what it costs in production.
import { createJsonLogger } from '@portcullis/auth-server';
import { startExampleApi } from '@portcullis/example-api';
import { createTestDatabase, freePort } from '@portcullis/storage/testing';
import { startStack } from '../src/index.ts';
import { registerBenchClients } from './register.ts';

const database = await createTestDatabase();
const stack = await startStack(
  database.db,
  database.url,
  {},
  {
    logger: createJsonLogger(process.stderr),
  },
);
// A client-credentials client, and for the browser-flow scenario a user and a third-party app
// (consent every time).
const clients = await registerBenchClients(stack.cli, stack.api);
const response = await fetch(`${stack.issuer}/token`, {
  method: 'POST',
  headers: {
    authorization: `Basic ${clients.basic}`,
    'content-type': 'application/x-www-form-urlencoded',
  },
  body: 'grant_type=client_credentials&scope=notes%3Aread',
});
const { access_token: accessToken } = (await response.json()) as { access_token: string };
// The API's own client, named on its resource: it reads the revocation feed.
const feedClient = await stack.cli<{ client_id: string; client_secret: string }>([
  'clients',
  'create',
  '--name',
  'bench-api-feed',
  '--grant',
  'client_credentials',
]);
await stack.cli(['resources', 'update', stack.api, '--introspection-client', feedClient.client_id]);
// The same example API with the verified-token cache off: every request verified in full.
const uncached = await startExampleApi({
  issuer: stack.issuer,
  audience: stack.api,
  jwksUri: `${stack.issuer}/jwks`,
  cache: false,
  port: await freePort(),
});
process.stdout.write(
  `${JSON.stringify({ issuer: stack.issuer, api: stack.api, uncachedApi: uncached.url, accessToken, feedClientId: feedClient.client_id, feedClientSecret: feedClient.client_secret, ...clients })}\n`,
);

process.on('SIGTERM', async () => {
  await uncached.close();
  await stack.stop();
  await database.drop();
  process.exit(0);
});
