import { type AuthServer, createAuthServer } from '@portcullis/auth-server';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import {
  capturedLog,
  discoverClient,
  HttpBrowser,
  type Stack,
  startStack,
  submitForm,
} from '../src/index.ts';

// The whole authorization-code journey (sign-in with a wrong password first, consent, code
// with PKCE, refresh, introspection, revocation, reuse of a revoked refresh token, a wrong
// client secret) against a server whose JSON log and metrics are captured; then every secret
// that crossed the wire is looked for in both.

const REDIRECT = 'http://127.0.0.1:8765/callback';
const PASSWORD = 'observability-Correct-Horse-9f2c';
const WRONG_PASSWORD = 'observability-Wrong-Horse-41aa';
const WRONG_SECRET = 'observability-not-the-client-secret-77d1';

let database: TestDatabase;
let stack: Stack;
let server: AuthServer;
let issuer: string;
const log = capturedLog();

/** Every response from our server, as the test saw it, and every secret value on the wire. */
const seen: Array<{ method: string; url: string; status: number; requestId: string | null }> = [];
const secrets = new Set<string>();
const originalFetch = globalThis.fetch;

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  server = await createAuthServer({
    db: database.db,
    databaseUrl: database.url,
    // The stack's keys and secrets, on a port of our own with the metrics listener on.
    config: { ...stack.config, port, issuer, metricsPort: 0 },
    logger: log.logger,
  });
  await server.listen();
  globalThis.fetch = async (input, init) => {
    const response = await originalFetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (url.startsWith(issuer)) {
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      seen.push({
        method,
        url,
        status: response.status,
        requestId: response.headers.get('x-request-id'),
      });
      for (const cookie of response.headers.getSetCookie()) {
        const value = cookie.split(';', 1)[0]?.split('=').slice(1).join('=');
        if (value && value.length >= 8) secrets.add(value);
      }
    }
    return response;
  };
});
test.after.always(async () => {
  globalThis.fetch = originalFetch;
  await server?.close();
  await stack?.stop();
  await database?.drop();
});

test('a full authorization-code journey leaves no secret in the logs or metrics, one access line per request', async (t) => {
  await stack.cli(['users', 'create', '--username', 'olive', '--password-stdin'], `${PASSWORD}\n`);
  const registered = await stack.cli<{ client_id: string; client_secret: string }>([
    'clients',
    'create',
    '--name',
    'Observed App',
    '--grant',
    'authorization_code',
    'refresh_token',
    '--redirect-uri',
    REDIRECT,
    '--resource',
    stack.api,
    '--scope',
    'openid offline_access notes:read',
  ]);
  for (const value of [PASSWORD, WRONG_PASSWORD, WRONG_SECRET, registered.client_secret]) {
    secrets.add(value);
  }
  const basic = (id: string, secret: string) =>
    Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
  secrets.add(basic(registered.client_id, registered.client_secret));
  secrets.add(basic(registered.client_id, WRONG_SECRET));

  const config = await discoverClient(issuer, registered);
  const verifier = client.randomPKCECodeVerifier();
  secrets.add(verifier);
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid offline_access notes:read',
    resource: stack.api,
    prompt: 'consent',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const browser = new HttpBrowser(issuer);
  let step = await browser.follow(url.href);
  step = (await submitForm(browser, step, { username: 'olive', password: WRONG_PASSWORD })).next;
  t.is(step.response.status, 401);
  step = (await submitForm(browser, step, { username: 'olive', password: PASSWORD })).next;
  step = (await submitForm(browser, step, { decision: 'approve' })).next;
  const callback = new URL(step.left as string);
  secrets.add(callback.searchParams.get('code') as string);

  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
  });
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
  for (const set of [tokens, refreshed]) {
    for (const value of [set.access_token, set.refresh_token, set.id_token]) {
      if (value) secrets.add(value);
    }
  }
  const introspected = await client.tokenIntrospection(config, refreshed.refresh_token as string);
  t.true(introspected.active);
  await client.tokenRevocation(config, refreshed.refresh_token as string);
  const reuse = await client
    .refreshTokenGrant(config, refreshed.refresh_token as string)
    .catch((error: unknown) => error);
  t.is((reuse as client.ResponseBodyError).error, 'invalid_grant');
  const wrongClient = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic(registered.client_id, WRONG_SECRET)}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token as string,
    }),
  });
  t.is(wrongClient.status, 401);

  // Tokens where they do not belong: in a query string, and a bearer token the server refuses.
  await fetch(
    `${issuer}/auth?client_id=${registered.client_id}&code=${callback.searchParams.get('code')}&access_token=${tokens.access_token}`,
    { redirect: 'manual' },
  );
  const userinfo = await fetch(`${issuer}/me`, {
    headers: { authorization: `Bearer ${refreshed.access_token}` },
  });
  t.true(userinfo.status >= 400, 'an API token is not a userinfo token');

  const scraped = await (await originalFetch(server.metricsUrl as string)).text();
  const logs = log.text();
  t.true(logs.length > 0);
  t.true(secrets.size >= 15, `${secrets.size} secrets collected`);
  for (const secret of secrets) {
    t.false(logs.includes(secret), `a secret of ${secret.length} characters is in the logs`);
    t.false(scraped.includes(secret), `a secret of ${secret.length} characters is in the metrics`);
  }

  // Exactly one access line per request, each under the id the response carried.
  const access = log.lines().filter((line) => line.message === 'request');
  t.is(access.length, seen.length);
  t.deepEqual(
    access.map((line) => line.request_id).sort(),
    seen.map((response) => response.requestId).sort(),
  );
  for (const line of access) {
    const response = seen.find((r) => r.requestId === line.request_id);
    t.is(line.status, response?.status);
    const path = new URL(response?.url as string).pathname
      .replace(/^\/interaction\/[^/]+/, '/interaction/:uid')
      .replace(/^\/auth\/[^/]+$/, '/auth/:uid');
    t.is(line.path, path, 'the path without its query, uids as placeholders');
  }
  t.true(access.some((line) => line.route === 'authorization' && line.status === 303));

  // Lines written while serving a request carry its id: the sign-ins name the POST they answer.
  const signIns = log.lines().filter((line) => /^sign-in/.test(line.message));
  t.deepEqual(
    signIns.map((line) => line.message),
    ['sign-in failed', 'sign-in'],
  );
  for (const line of signIns) {
    const request = access.find((a) => a.request_id === line.request_id);
    t.is(request?.route, 'interaction_login', line.message);
  }
  t.true(
    access.some((line) => line.route === 'token' && line.client_id === registered.client_id),
    'the access line names the client',
  );

  const count = (pattern: RegExp) => Number(pattern.exec(scraped)?.[1] ?? 0);
  const id = registered.client_id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  t.is(
    count(
      new RegExp(
        `portcullis_tokens_issued_total\\{grant_type="authorization_code",client_id="${id}"\\} (\\d+)`,
      ),
    ),
    1,
  );
  t.is(
    count(
      new RegExp(
        `portcullis_tokens_issued_total\\{grant_type="refresh_token",client_id="${id}"\\} (\\d+)`,
      ),
    ),
    1,
  );
  t.is(count(/portcullis_oauth_errors_total\{route="token",error="invalid_grant"\} (\d+)/), 1);
  t.is(count(/portcullis_oauth_errors_total\{route="token",error="invalid_client"\} (\d+)/), 1);
  t.true(
    count(
      /portcullis_http_requests_total\{route="interaction_login",method="POST",status="401"\} (\d+)/,
    ) === 1,
  );
});
