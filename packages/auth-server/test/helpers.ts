import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { freePort, type TestDatabase } from '@portcullis/storage/testing';
import {
  type AuthServer,
  createAuthServer,
  createClientsService,
  createResourcesService,
  loadServerConfig,
  silentLogger,
} from '../src/index.ts';

/** The environment of {@link testConfig}: fresh secrets, a random loopback port. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PORTCULLIS_PORT: '0',
    PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
    PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    ...overrides,
  };
}

/** Development-mode configuration with fresh secrets, listening on a random loopback port. */
export function testConfig(overrides: Record<string, string> = {}) {
  return loadServerConfig(testEnv(overrides), { mode: 'development' });
}

/**
 * Starts a real authorization server on the test's database. The issuer is the URL it listens
 * on, which is only known after listening, so the server is built twice: once to learn a free
 * port, then for real on that port.
 */
export async function startAuthServer(
  database: TestDatabase,
  env: Record<string, string> = {},
): Promise<{ server: AuthServer; url: string }> {
  const port = await freePort();
  const serverEnv = testEnv({
    PORTCULLIS_PORT: String(port),
    PORTCULLIS_ISSUER: `http://127.0.0.1:${port}`,
    ...env,
  });
  const config = loadServerConfig(serverEnv, { mode: 'development' });
  const server = await createAuthServer({
    db: database.db,
    databaseUrl: database.url,
    config,
    // No data folder: the doctor finds no development secrets in a folder that does not exist.
    environment: { env: serverEnv, dataDir: path.join(os.tmpdir(), 'portcullis-test-no-data') },
    logger: silentLogger,
  });
  const { url } = await server.listen();
  return { server, url };
}

export const API = 'https://api.example.test';

/** Registers the test API resource; call once per database. */
export async function seedResource(database: TestDatabase) {
  await createResourcesService(database.db).create({
    identifier: API,
    name: 'Test API',
    scopes: [
      { name: 'notes:read', description: 'Read notes' },
      { name: 'notes:write', description: 'Write notes' },
      { name: 'admin', description: 'Administer' },
    ],
  });
}

/** Registers a first-party client-credentials client for the test API. */
export async function seedClient(
  database: TestDatabase,
  options: { name?: string; scopes?: string[] } = {},
) {
  const created = await createClientsService(database.db).create({
    name: options.name ?? `svc-${randomBytes(4).toString('hex')}`,
    grants: ['client_credentials'],
    scopes: options.scopes ?? ['notes:read', 'notes:write'],
    resources: [API],
    firstParty: true,
  });
  return { clientId: created.client.id, clientSecret: created.clientSecret as string };
}

/** POSTs a form to the token endpoint with HTTP Basic client authentication. */
export async function tokenRequest(
  url: string,
  credentials: { clientId: string; clientSecret: string } | undefined,
  form: Record<string, string | string[]>,
) {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  }
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (credentials) {
    const basic = `${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
  }
  const response = await fetch(`${url}/token`, { method: 'POST', headers, body });
  return { response, json: (await response.json()) as Record<string, unknown> };
}

/** JSON of whatever shape a test reads. */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON responses field by field
export type Json = Record<string, any>;

/** GETs a URL and returns its JSON body. */
export async function getJson(url: string): Promise<Json> {
  return (await (await fetch(url)).json()) as Json;
}
