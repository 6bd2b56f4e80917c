import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { discoverClient, track, until } from '../src/index.ts';
import {
  buildImage,
  commandInImage,
  type ImageConfig,
  imageBase,
  inspectImage,
  mountImage,
  removeImage,
  runFromImage,
} from './image-fixtures.ts';

// The container image, built from the repository's Containerfile and run from its file system
// (this machine has no container engine that can run it: see image-fixtures.ts), against the
// test PostgreSQL: the image's own CLI migrates and registers, its `serve` issues tokens.

const NAME = `localhost/portcullis:test-${process.pid}`;
const API = 'https://notes.example.test';
/** Size budget of what the image adds to its base (the built code and production dependencies). */
const ADDED_SIZE_BUDGET = 150 * 1024 * 1024;

let image: ImageConfig;
let baseSize: number;
let mount: string;
let database: TestDatabase;
let env: Record<string, string>;

test.before(async () => {
  const base = await imageBase();
  await buildImage(base, NAME);
  image = await inspectImage(NAME);
  baseSize = (await inspectImage(base)).size;
  mount = await mountImage(NAME);
  database = await createTestDatabase({ migrate: false });
  env = {
    DATABASE_URL: database.url,
    PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
    PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
  };
});

test.after.always(async () => {
  await removeImage(NAME);
  await database?.drop();
});

/** `portcullis ...args` from the image, through its entrypoint. */
const inImage = (args: string[], extra: Record<string, string> = env) =>
  commandInImage(image, mount, [...image.entrypoint, ...args], extra);

test('the image: portcullis as entrypoint, a non-root user, a health check, OCI labels, within its size budget', (t) => {
  t.deepEqual(image.entrypoint, ['portcullis']);
  t.is(image.user, '10001:10001');
  t.true(image.env.includes('NODE_ENV=production'));
  t.is(image.healthcheck[0], 'CMD');
  t.true(image.healthcheck.join(' ').includes('/healthz'));
  t.is(image.labels['org.opencontainers.image.title'], 'Portcullis');
  t.truthy(image.labels['org.opencontainers.image.version']);
  const added = image.size - baseSize;
  t.log(
    `image ${(image.size / 2 ** 20).toFixed(0)} MB: base ${(baseSize / 2 ** 20).toFixed(0)} MB + ${(added / 2 ** 20).toFixed(0)} MB of Portcullis`,
  );
  t.true(added < ADDED_SIZE_BUDGET, `adds ${added} bytes`);
});

test('without DATABASE_URL or without secrets, the image says what is missing in one line and exits 1', async (t) => {
  const noDatabase = await inImage(['db', 'status'], {});
  t.is(noDatabase.code, 1, noDatabase.stderr);
  t.regex(noDatabase.stderr, /^portcullis: .*set DATABASE_URL.*\n$/);

  const noSecrets = await inImage(['serve'], { DATABASE_URL: database.url });
  t.is(noSecrets.code, 1, noSecrets.stderr);
  t.regex(noSecrets.stderr, /^portcullis: .*PORTCULLIS_COOKIE_KEYS.*\n$/);
});

test('db migrate, clients create and serve from the image: discovery, readiness, a token, the health check, SIGTERM', async (t) => {
  const migrated = await inImage(['db', 'migrate', '--json']);
  t.is(migrated.code, 0, migrated.stderr);
  const resource = await inImage([
    'resources',
    'create',
    '--identifier',
    API,
    '--name',
    'Notes',
    '--scope',
    'notes:read=Read your notes',
    '--json',
  ]);
  t.is(resource.code, 0, resource.stderr);
  const created = await inImage([
    'clients',
    'create',
    '--name',
    'image-test',
    '--grant',
    'client_credentials',
    '--resource',
    API,
    '--scope',
    'notes:read',
    '--first-party',
    '--json',
  ]);
  t.is(created.code, 0, created.stderr);
  const credentials = JSON.parse(created.stdout) as { client_id: string; client_secret: string };

  const port = await freePort();
  const issuer = `http://localhost:${port}`;
  const serving = { ...env, PORTCULLIS_PORT: String(port), PORTCULLIS_ISSUER: issuer };
  const server = track(runFromImage(image, mount, [...image.entrypoint, 'serve'], serving));
  t.teardown(() => server.stop());
  const ready = async () =>
    (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200;
  await until('serve from the image is ready', ready, 60);

  // The server process itself runs as the image's non-root user.
  const status = await readFile(`/proc/${server.child.pid}/status`, 'utf8');
  t.regex(status, /^Uid:\s+10001\s+10001\s+10001\s+10001$/m);

  const config = await discoverClient(issuer, credentials);
  t.is(config.serverMetadata().issuer, issuer);
  const tokens = await client.clientCredentialsGrant(config, {
    scope: 'notes:read',
    resource: API,
  });
  const claims = decodeJwt(tokens.access_token);
  t.is(claims.aud, API);
  t.is(claims.client_id, credentials.client_id);

  // The image's own HEALTHCHECK command, run as the engine would while the server runs.
  const health = await commandInImage(image, mount, image.healthcheck.slice(1), serving);
  t.is(health.code, 0, health.stderr);

  t.is(await server.stop(), 0, server.stderr());
  t.false(await ready(), 'stopped');
});
