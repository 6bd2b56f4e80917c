import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { createClientsService, findingJson, runDoctor } from '../../src/index.ts';
import { API, seedClient, seedResource, tokenRequest } from '../helpers.ts';
import { adminClient, adminFetch, startAdminServer } from './admin-fixtures.ts';

// GET /admin/v1/doctor: the findings of the call `portcullis doctor` makes, on the server's own
// configuration and database, without reaching a single client-registered URL.

let database: TestDatabase;
let api: string;
let issuer: string;
let close: () => Promise<void>;
let receiver: http.Server;
const received: string[] = [];

// The server's own secrets, known here so that the test can look for them in the answer.
const COOKIE_KEY = randomBytes(32).toString('base64url');
const KEY_ENCRYPTION_KEY = randomBytes(32).toString('base64url');
const ENV = {
  PORTCULLIS_COOKIE_KEYS: COOKIE_KEY,
  PORTCULLIS_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY,
  // Over the doctor's threshold (30 s): a note it must report.
  PORTCULLIS_REFRESH_REUSE_GRACE_SECONDS: '45',
};

test.before(async () => {
  database = await createTestDatabase();
  await seedResource(database);
  // Where two clients' registered URLs point: it counts every request it gets.
  receiver = http.createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const clients = createClientsService(database.db);
  await clients.create({
    name: 'logout-app',
    grants: ['authorization_code'],
    redirectUris: ['http://127.0.0.1:8793/callback'],
    backchannelLogoutUri: `${base}/logout`,
  });
  await clients.create({
    name: 'keys-app',
    grants: ['client_credentials'],
    resources: [API],
    authMethod: 'private_key_jwt',
    jwksUri: `${base}/jwks.json`,
  });
  const started = await startAdminServer(database, ENV);
  ({ api } = started);
  issuer = started.url;
  close = () => started.server.close();
});
test.after.always(async () => {
  await close?.();
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  await database?.drop();
});

test.serial(
  'admin:read gets the findings, the skipped checks, and no client URL is reached',
  async (t) => {
    const reader = await adminClient(database, issuer, ['admin:read']);
    const { response, json } = await adminFetch(api, '/doctor', { token: await reader.token() });
    t.is(response.status, 200);
    t.is(response.headers.get('cache-control'), 'no-store');
    t.is(json.mode, 'development');
    t.true(
      json.findings.some(
        (f: { id: string; severity: string }) =>
          f.id === 'refresh-reuse-grace-long' && f.severity === 'info',
      ),
    );
    t.deepEqual(
      json.skipped.map((s: { id: string }) => s.id),
      ['backchannel-logout-unreachable', 'client-jwks-uri-unreachable'],
    );
    t.deepEqual(json.summary, {
      errors: json.findings.filter((f: { severity: string }) => f.severity === 'error').length,
      warnings: json.findings.filter((f: { severity: string }) => f.severity === 'warning').length,
      notes: json.findings.filter((f: { severity: string }) => f.severity === 'info').length,
    });
    t.deepEqual(received, [], 'nothing was requested from a client-registered URL');
    // Neither secret of the server's configuration is anywhere in the answer.
    const text = JSON.stringify(json);
    t.false(text.includes(COOKIE_KEY));
    t.false(text.includes(KEY_ENCRYPTION_KEY));
  },
);

test.serial(
  'the same findings as the CLI call, which reaches the URLs the API skips',
  async (t) => {
    const reader = await adminClient(database, issuer, ['admin:read']);
    const { json } = await adminFetch(api, '/doctor', { token: await reader.token() });
    const env = { ...ENV, PORTCULLIS_ISSUER: issuer, PORTCULLIS_ADMIN_API: 'on' };
    const dataDir = path.join(os.tmpdir(), 'portcullis-test-no-data');
    const options = { db: database.db, env, dataDir, mode: 'development' } as const;
    const withoutReaching = await runDoctor({ ...options, reachClients: false });
    t.deepEqual(json.findings, withoutReaching.findings.map(findingJson));
    t.deepEqual(json.skipped, withoutReaching.skipped);

    // `portcullis doctor` (reachClients by default) reaches both URLs and reports what they did.
    const cli = await runDoctor(options);
    t.deepEqual(cli.skipped, []);
    t.true(received.includes('POST /logout'));
    t.true(received.includes('GET /jwks.json'));
    const ids = cli.findings.map((f) => f.id);
    t.true(ids.includes('client-jwks-uri-unreachable'));
    t.false(json.findings.some((f: { id: string }) => f.id === 'client-jwks-uri-unreachable'));
  },
);

test('refusals: no token 401, another scope 403, another audience 401', async (t) => {
  const none = await adminFetch(api, '/doctor');
  t.is(none.response.status, 401);
  t.is(none.json.type, 'urn:portcullis:problem:unauthorized');
  const keys = await adminClient(database, issuer, ['admin:keys']);
  const wrongScope = await adminFetch(api, '/doctor', { token: await keys.token() });
  t.is(wrongScope.response.status, 403);
  t.is(wrongScope.json.error, 'insufficient_scope');
  t.regex(wrongScope.response.headers.get('www-authenticate') ?? '', /scope="admin:read"/);
  const other = await seedClient(database, { scopes: ['notes:read'] });
  const issued = await tokenRequest(issuer, other, {
    grant_type: 'client_credentials',
    scope: 'notes:read',
    resource: API,
  });
  const wrongAudience = await adminFetch(api, '/doctor', {
    token: issued.json.access_token as string,
  });
  t.is(wrongAudience.response.status, 401);
  t.is(wrongAudience.json.error, 'invalid_token');
});
