import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test, { type ExecutionContext } from 'ava';
import { seedExampleApiClient } from '../src/seed-example-api-client.ts';
import { seedExampleResource } from '../src/seed-example-resource.ts';
import { cli, cliJson } from './helpers.ts';

const API = 'http://localhost:4000';

/** A database with the example resource seeded, and a data folder, both gone after `t`. */
async function setUp(t: ExecutionContext): Promise<{ own: TestDatabase; dir: string }> {
  const own = await createTestDatabase();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-api-client-'));
  t.teardown(async () => {
    await own.drop();
    await rm(dir, { recursive: true, force: true });
  });
  await seedExampleResource(own.db, API);
  return { own, dir };
}

const stored = async (dir: string) =>
  JSON.parse(await readFile(path.join(dir, 'example-api-client.json'), 'utf8')) as {
    client_id: string;
    client_secret: string;
  };

const introspectionClients = async (own: TestDatabase) =>
  (await cliJson<{ introspection_clients: string[] }>(own, ['resources', 'show', API]))
    .introspection_clients;

test('registers the client once, names it on the resource, and keeps its secret in a private file', async (t) => {
  const { own, dir } = await setUp(t);
  const first = await seedExampleApiClient(own.db, dir, API);
  t.like(first, { disabled: false });
  t.deepEqual(await stored(dir), {
    client_id: first.clientId,
    client_secret: first.clientSecret,
  });
  t.is((await stat(path.join(dir, 'example-api-client.json'))).mode & 0o777, 0o600);
  t.deepEqual(await introspectionClients(own), [first.clientId]);
  const shown = await cliJson<Record<string, unknown>>(own, ['clients', 'show', first.clientId]);
  t.like(shown, { name: 'example-api', public: false, grant_types: ['client_credentials'] });

  t.deepEqual(await seedExampleApiClient(own.db, dir, API), first, 'the next run: as it was');
  t.deepEqual(await introspectionClients(own), [first.clientId]);
});

test('a secret rotated by an operator: the same client gets a new secret that works', async (t) => {
  const { own, dir } = await setUp(t);
  const first = await seedExampleApiClient(own.db, dir, API);
  const rotated = await cli(own, ['clients', 'rotate-secret', 'example-api', '--keep-old', '0']);
  t.is(rotated.code, 0, rotated.stderr);
  const second = await seedExampleApiClient(own.db, dir, API);
  t.is(second.clientId, first.clientId);
  t.not(second.clientSecret, first.clientSecret);
  t.is((await stored(dir)).client_secret, second.clientSecret);
  // The one live secret is the new one: the operator's rotation expired at once.
  const secrets = await cliJson<Array<{ expires_at: string | null }>>(own, [
    'clients',
    'secrets',
    'example-api',
  ]);
  t.is(secrets.filter((s) => s.expires_at === null).length, 1);
});

test('a deleted client is registered again, also after the resource moved without it', async (t) => {
  const { own, dir } = await setUp(t);
  const first = await seedExampleApiClient(own.db, dir, API);
  const deleted = await cli(own, ['clients', 'delete', first.clientId, '--yes']);
  t.is(deleted.code, 0, deleted.stderr);
  // The resource moves to another port without it, and the new client is named there.
  const moved = 'http://localhost:4100';
  t.is((await seedExampleResource(own.db, moved)).moved?.from, API);
  const second = await seedExampleApiClient(own.db, dir, moved);
  t.not(second.clientId, first.clientId);
  const shown = await cliJson<{ introspection_clients: string[] }>(own, [
    'resources',
    'show',
    moved,
  ]);
  t.deepEqual(shown.introspection_clients, [second.clientId]);
});

test('the client follows the resource to a new port', async (t) => {
  const { own, dir } = await setUp(t);
  const first = await seedExampleApiClient(own.db, dir, API);
  await seedExampleResource(own.db, 'http://localhost:4100');
  t.deepEqual(await seedExampleApiClient(own.db, dir, 'http://localhost:4100'), first);
});

test('a public client holding the name: nothing written, the failure says what to run', async (t) => {
  const { own, dir } = await setUp(t);
  const { client_id } = await cliJson<{ client_id: string }>(own, [
    'clients',
    'create',
    '--name',
    'Example-API',
    '--grant',
    'authorization_code',
    '--redirect-uri',
    'http://127.0.0.1/callback',
    '--public',
  ]);
  const error = await t.throwsAsync(seedExampleApiClient(own.db, dir, API));
  t.is(
    error?.message,
    `the example API's client name "example-api" is taken by the public client ${client_id}: rename it (\`portcullis clients update ${client_id} --name "another name"\`) and start dev again`,
  );
  t.deepEqual(await introspectionClients(own), []);
  await t.throwsAsync(stat(path.join(dir, 'example-api-client.json')));
});

test('a disabled client is left disabled, and said so', async (t) => {
  const { own, dir } = await setUp(t);
  const first = await seedExampleApiClient(own.db, dir, API);
  t.is((await cli(own, ['clients', 'disable', first.clientId])).code, 0);
  t.like(await seedExampleApiClient(own.db, dir, API), {
    clientId: first.clientId,
    disabled: true,
  });
});
