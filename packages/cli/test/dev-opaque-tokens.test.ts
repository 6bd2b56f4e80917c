import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test, { type ExecutionContext } from 'ava';
import { type ChildCli, startCli } from './child-cli.ts';
import { cliJson, cliWith } from './helpers.ts';

// The quickstart's promise: the example API that `dev` starts accepts the operator's opaque
// tokens (`tokens issue`, by introspection as the client `dev` registers for it) as well as the
// issuer's JWTs.

let database: TestDatabase;
let dataDir: string;
let port: number;
test.before(async () => {
  database = await createTestDatabase({ migrate: false });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-dev-opaque-'));
  port = await freePort();
});
test.after.always(async () => {
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const credentialsFile = () => path.join(dataDir, 'example-api-client.json');

interface Running {
  dev: ChildCli;
  api: string;
  clientId: string;
}

/** Starts `dev --json` on `apiPort`, answers of introspection cached for 1 s. */
async function startDev(t: ExecutionContext, apiPort: number): Promise<Running> {
  const dev = startCli(['dev', '--json'], {
    DATABASE_URL: database.url,
    PORTCULLIS_DATA_DIR: dataDir,
    PORTCULLIS_PORT: String(port),
    PORTCULLIS_API_PORT: String(apiPort),
    PORTCULLIS_API_INTROSPECTION_CACHE: '1s',
  });
  t.teardown(() => dev.stop('SIGKILL'));
  const summary = JSON.parse(await dev.firstLine()) as { introspection_client_id: string };
  return { dev, api: `http://localhost:${apiPort}`, clientId: summary.introspection_client_id };
}

/** An opaque token `tokens issue` gives the client `demo` for `resource`. */
async function issue(resource: string): Promise<{ token: string; grant: string }> {
  const issued = await cliJson<{ access_token: string; grant_id: string }>(database, [
    'tokens',
    'issue',
    '--client',
    'demo',
    '--scope',
    'notes:read',
    '--resource',
    resource,
  ]);
  return { token: issued.access_token, grant: issued.grant_id };
}

/** GET `path` of the API on `apiPort` with `token`. */
function get(apiPort: number, pathname: string, token: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${apiPort}${pathname}`, {
    headers: { authorization: `Bearer ${token}` },
  });
}

async function storedCredentials(): Promise<{ client_id: string; client_secret: string }> {
  return JSON.parse(await readFile(credentialsFile(), 'utf8')) as {
    client_id: string;
    client_secret: string;
  };
}

test.serial(
  'the API accepts opaque tokens from `tokens issue` and JWTs, and refuses a revoked opaque token once its cached answer expires',
  async (t) => {
    const apiPort = await freePort();
    const { dev, api, clientId } = await startDev(t, apiPort);
    const stored = await storedCredentials();
    t.is(stored.client_id, clientId);
    t.is((await stat(credentialsFile())).mode & 0o777, 0o600, 'only its owner reads the secret');
    const resource = await cliJson<{ introspection_clients: string[] }>(database, [
      'resources',
      'show',
      api,
    ]);
    t.deepEqual(resource.introspection_clients, [clientId]);

    const demo = await cliJson<{ client_id: string; client_secret: string }>(database, [
      'clients',
      'create',
      '--name',
      'demo',
      '--grant',
      'client_credentials',
      '--resource',
      api,
      '--scope',
      'notes:read',
    ]);
    const opaque = await issue(api);
    const notes = await get(apiPort, '/notes', opaque.token);
    t.is(notes.status, 200, await notes.text());
    const me = await get(apiPort, '/me', opaque.token);
    t.deepEqual(await me.json(), {
      sub: demo.client_id,
      client_id: demo.client_id,
      scope: 'notes:read',
    });

    const jwt = (await (
      await fetch(`http://127.0.0.1:${port}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${demo.client_id}:${demo.client_secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'notes:read' }),
      })
    ).json()) as { access_token: string };
    t.is(jwt.access_token.split('.').length, 3, 'a JWT');
    t.is((await get(apiPort, '/me', jwt.access_token)).status, 200);

    // Revocation reaches the API when its cached answer expires (1 s here, 60 s by default):
    // nothing tells the API that a token it has seen was revoked.
    const revoked = await cliWith(database, ['tokens', 'revoke', '--grant', opaque.grant]);
    t.is(revoked.code, 0, revoked.stderr);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const refused = await get(apiPort, '/notes', opaque.token);
    t.is(refused.status, 401);
    t.regex(refused.headers.get('www-authenticate') ?? '', /error="invalid_token"/);

    t.is(await dev.stop('SIGINT'), 0, dev.stderr());
    t.false(dev.stdout().includes(stored.client_secret), 'the secret is never printed');
    t.false(dev.stderr().includes(stored.client_secret), 'nor logged');
  },
);

test.serial(
  'the next run keeps the client and its secret, and follows a new API port',
  async (t) => {
    const before = await storedCredentials();
    const apiPort = await freePort();
    const { dev, api, clientId } = await startDev(t, apiPort);
    t.is(clientId, before.client_id);
    t.deepEqual(await storedCredentials(), before, 'the same secret: nothing rotated');
    const { token } = await issue(api);
    const notes = await get(apiPort, '/notes', token);
    t.is(notes.status, 200, await notes.text());
    t.is(await dev.stop('SIGTERM'), 0, dev.stderr());
  },
);

test.serial(
  'a lost or damaged credentials file: the same client gets a new secret, and the API works',
  async (t) => {
    const before = await storedCredentials();
    await writeFile(credentialsFile(), '{"client_id": 1', { mode: 0o644 });
    const apiPort = await freePort();
    const { dev, api, clientId } = await startDev(t, apiPort);
    t.is(clientId, before.client_id, 'found again by its name');
    const after = await storedCredentials();
    t.not(after.client_secret, before.client_secret);
    t.is((await stat(credentialsFile())).mode & 0o777, 0o600);
    const { token } = await issue(api);
    t.is((await get(apiPort, '/me', token)).status, 200);
    t.is(await dev.stop('SIGTERM'), 0, dev.stderr());
    const clients = await cliJson<Array<{ name: string }>>(database, ['clients', 'list']);
    t.deepEqual(clients.map((c) => c.name).sort(), ['demo', 'example-api'], 'no second client');
  },
);
