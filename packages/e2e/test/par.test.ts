import { type AuthServer, createAuthServer } from '@portcullis/auth-server';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import {
  capturedLog,
  createCodeClient,
  discoverClient,
  HttpBrowser,
  type Stack,
  startStack,
  submitForm,
} from '../src/index.ts';

// Pushed authorization requests (RFC 9126) end to end with openid-client: a code flow whose
// browser leg carries only a request_uri; clients registered with --require-par, and every
// client under PORTCULLIS_REQUIRE_PAR=on, refused without one; a request_uri used once and
// only for its 60 seconds; client authentication at /request refused, counted and limited;
// request objects refused; CORS by the client's web origins; the route named in the access log
// and the metrics; discovery from the configured issuer.

const REDIRECT = 'http://127.0.0.1:8781/callback';
const PASSWORD = 'par-owner-password';
const SCOPE = 'openid notes:read';

let database: TestDatabase;
let stack: Stack;
/** A second server on the same database with PORTCULLIS_REQUIRE_PAR=on, its log captured. */
let strict: { server: AuthServer; issuer: string; log: ReturnType<typeof capturedLog> };
let app: { client_id: string; client_secret: string };
let required: { client_id: string; client_secret: string };

const createApp = (name: string, args: string[] = []) =>
  createCodeClient(stack, name, REDIRECT, SCOPE, args);

test.before(async () => {
  database = await createTestDatabase();
  // Three failed client authentications per client: enough to see the limit at /request.
  // Registration on: a dynamically registered client may ask to be required to push.
  stack = await startStack(database.db, database.url, {
    PORTCULLIS_LIMIT_CLIENT_AUTH: '3/10m',
    PORTCULLIS_REGISTRATION: 'on',
  });
  await stack.cli(['users', 'create', '--username', 'parker', '--password-stdin'], `${PASSWORD}\n`);
  app = await createApp('par app', ['--first-party']);
  required = await createApp('par required app', ['--require-par']);
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const log = capturedLog();
  const server = await createAuthServer({
    db: database.db,
    databaseUrl: database.url,
    config: { ...stack.config, port, issuer, requirePar: true, metricsPort: 0 },
    logger: log.logger,
  });
  await server.listen();
  strict = { server, issuer, log };
});
test.after.always(async () => {
  await strict?.server.close();
  await stack?.stop();
  await database?.drop();
});

/** The authorization request's parameters, with a fresh PKCE pair. */
async function codeRequest() {
  const verifier = client.randomPKCECodeVerifier();
  const params = {
    redirect_uri: REDIRECT,
    scope: SCOPE,
    resource: stack.api,
    state: client.randomState(),
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  };
  return { verifier, params };
}

/** Signs parker in through the login page (and the consent page, for a third-party app). */
async function signIn(browser: HttpBrowser, url: URL) {
  const login = await browser.follow(url.href);
  let { next } = await submitForm(browser, login, { username: 'parker', password: PASSWORD });
  if (!next.left) ({ next } = await submitForm(browser, next, { decision: 'approve' }));
  return next;
}

/** The error an authorization request was redirected back to the client with, and its text. */
const redirectedError = (step: { response: Response; left?: string }) => {
  const back = step.left ? new URL(step.left) : undefined;
  return {
    status: step.response.status,
    to: back && `${back.origin}${back.pathname}`,
    error: back?.searchParams.get('error'),
    description: back?.searchParams.get('error_description'),
    code: back?.searchParams.get('code'),
  };
};

test('discovery advertises /request from the configured issuer, whatever the Host says', async (t) => {
  const forged = await fetch(`${stack.issuer}/.well-known/openid-configuration`, {
    headers: { host: 'attacker.example' },
  });
  const metadata = (await forged.json()) as Record<string, unknown>;
  t.is(metadata.pushed_authorization_request_endpoint, `${stack.issuer}/request`);
  // Not required server-wide here; request objects (JAR) are not offered at all.
  t.false('require_pushed_authorization_requests' in metadata);
  t.false('request_parameter_supported' in metadata);
  t.false('request_object_signing_alg_values_supported' in metadata);

  const strictMetadata = (await (
    await fetch(`${strict.issuer}/.well-known/oauth-authorization-server`)
  ).json()) as Record<string, unknown>;
  t.is(strictMetadata.pushed_authorization_request_endpoint, `${strict.issuer}/request`);
  t.is(strictMetadata.require_pushed_authorization_requests, true);
});

test('a code flow with PKCE through PAR: the browser carries only the request_uri', async (t) => {
  const config = await discoverClient(stack.issuer, app);
  const { verifier, params } = await codeRequest();
  const url = await client.buildAuthorizationUrlWithPAR(config, params);
  t.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
  t.regex(url.searchParams.get('request_uri') ?? '', /^urn:ietf:params:oauth:request_uri:/);

  const browser = new HttpBrowser(stack.issuer);
  const back = await signIn(browser, url);
  if (!back.left) throw new Error(`no redirect back: ${back.response.status}`);
  const tokens = await client.authorizationCodeGrant(config, new URL(back.left), {
    pkceCodeVerifier: verifier,
    expectedState: params.state,
  });
  t.is(tokens.token_type, 'bearer');
  t.truthy(tokens.id_token);
  const me = await fetch(`${stack.api}/me`, {
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  t.is(me.status, 200);

  // The request_uri served that sign-in and nothing more: opened again, it is refused, back to
  // the client's one registered redirect URI, with no code.
  const again = redirectedError(await browser.follow(url.href));
  t.is(again.status, 303);
  t.is(again.to, REDIRECT);
  t.is(again.error, 'invalid_request_uri');
  t.is(again.description, 'request_uri is invalid, expired, or was already used');
  t.is(again.code, null);
});

test('a request_uri opened in several tabs at once gives one code', async (t) => {
  const config = await discoverClient(stack.issuer, app);
  const browser = new HttpBrowser(stack.issuer);
  // Signed in, with the first-party app's grant: the next request goes straight to a code.
  await signIn(
    browser,
    await client.buildAuthorizationUrlWithPAR(config, (await codeRequest()).params),
  );
  const url = await client.buildAuthorizationUrlWithPAR(config, (await codeRequest()).params);
  const answers = await Promise.all(Array.from({ length: 5 }, () => browser.follow(url.href)));
  const codes = answers.filter((a) => a.left && new URL(a.left).searchParams.has('code'));
  t.is(codes.length, 1);
  for (const answer of answers.filter((a) => !codes.includes(a))) {
    // Refused by oidc-provider's own check, or by the conditional consumption in PostgreSQL for
    // a tab that raced past it: the same error either way.
    t.is(redirectedError(answer).error, 'invalid_request_uri');
  }
});

// Serial: ava runs it before the concurrent tests, so the only pushed request live is its own.
test.serial('a request_uri past its 60 seconds is refused', async (t) => {
  const config = await discoverClient(stack.issuer, app);
  const url = await client.buildAuthorizationUrlWithPAR(config, (await codeRequest()).params);
  // Its row expires, as PostgreSQL would see it a minute later.
  const expired = await database
    .db('oidc_artifacts')
    .where({ model: 'PushedAuthorizationRequest' })
    .whereNull('consumed_at')
    .where('expires_at', '>', database.db.fn.now())
    .update({ expires_at: database.db.raw("now() - interval '1 second'") });
  t.is(expired, 1);
  const answer = redirectedError(await new HttpBrowser(stack.issuer).follow(url.href));
  t.is(answer.error, 'invalid_request_uri');
  t.is(answer.code, null);
});

test('a --require-par client: a plain authorization request is refused, a pushed one works', async (t) => {
  const shown = await stack.cli<Record<string, unknown>>(['clients', 'show', required.client_id]);
  t.is(shown.require_pushed_authorization_requests, true);
  const config = await discoverClient(stack.issuer, required);
  const { params } = await codeRequest();
  const plain = redirectedError(
    await new HttpBrowser(stack.issuer).follow(client.buildAuthorizationUrl(config, params).href),
  );
  // oidc-provider redirects the refusal to the redirect URI, which it checked is registered.
  t.is(plain.status, 303);
  t.is(plain.to, REDIRECT);
  t.is(plain.error, 'invalid_request');
  t.is(plain.description, 'Pushed Authorization Request must be used');
  t.is(plain.code, null);

  const pushed = await client.buildAuthorizationUrlWithPAR(config, (await codeRequest()).params);
  const back = await signIn(new HttpBrowser(stack.issuer), pushed);
  t.truthy(back.left && new URL(back.left).searchParams.get('code'));
});

test('PORTCULLIS_REQUIRE_PAR=on: every client must push', async (t) => {
  const config = await discoverClient(strict.issuer, app);
  const { params } = await codeRequest();
  const plain = redirectedError(
    await new HttpBrowser(strict.issuer).follow(client.buildAuthorizationUrl(config, params).href),
  );
  t.is(plain.error, 'invalid_request');
  t.is(plain.description, 'Pushed Authorization Request must be used');
  t.is(plain.code, null);
  const pushed = await client.buildAuthorizationUrlWithPAR(config, (await codeRequest()).params);
  const back = await signIn(new HttpBrowser(strict.issuer), pushed);
  t.truthy(back.left && new URL(back.left).searchParams.get('code'));

  // The access line names the route and logs no request_uri, secret or code.
  const pushes = strict.log
    .lines()
    .filter((l) => l.message === 'request' && l.route === 'pushed_authorization_request');
  t.true(pushes.length >= 1);
  t.is(pushes[0]?.path, '/request');
  t.is(pushes[0]?.status, 201);
  const requestUri = pushed.searchParams.get('request_uri') as string;
  const secretPart = requestUri.split(':').at(-1) as string;
  t.false(strict.log.text().includes(secretPart));
  t.false(strict.log.text().includes(app.client_secret));
  const metrics = await (await fetch(strict.server.metricsUrl as string)).text();
  t.regex(
    metrics,
    /portcullis_http_requests_total\{route="pushed_authorization_request",method="POST",status="201"\} \d+/,
  );
});

/** POST /request by hand, with whatever credentials (or none). */
async function push(
  credentials: { client_id: string; client_secret?: string },
  extra: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  const { params } = await codeRequest();
  const body = new URLSearchParams({
    ...params,
    client_id: credentials.client_id,
    response_type: 'code',
    ...extra,
  });
  const auth: Record<string, string> =
    credentials.client_secret === undefined
      ? {}
      : {
          authorization: `Basic ${Buffer.from(`${credentials.client_id}:${credentials.client_secret}`).toString('base64')}`,
        };
  const response = await fetch(`${stack.issuer}/request`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth, ...headers },
    body,
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

test('a push without client authentication or with a wrong secret is invalid_client, and limited', async (t) => {
  const victim = await createApp('par brute-forced app');
  const none = await push({ client_id: victim.client_id });
  t.is(none.status, 401);
  t.is(none.json.error, 'invalid_client');
  const unknown = await push({ client_id: 'no-such-client', client_secret: 'x'.repeat(43) });
  t.is(unknown.status, 401);
  t.is(unknown.json.error, 'invalid_client');
  const wrong = { client_id: victim.client_id, client_secret: 'y'.repeat(43) };
  const answers = [];
  for (let i = 0; i < 4; i += 1) answers.push(await push(wrong));
  // The missing credentials count too: 3 failures allowed, then 429 with the same body.
  t.deepEqual(
    answers.map((a) => a.status),
    [401, 401, 429, 429],
  );
  t.deepEqual(answers[3]?.json, {
    error: 'invalid_client',
    error_description: 'client authentication failed',
  });
  t.truthy(answers[3]?.headers.get('retry-after'));
  // The right secret still works: a lock never locks the owner out.
  t.is((await push(victim)).status, 201);
  const events = await stack.cli<Array<{ type: string; details: Record<string, unknown> }>>([
    'audit',
    'list',
    '--type',
    'rate_limit.hit',
  ]);
  t.true(events.some((e) => e.details.endpoint === 'pushed_authorization_request'));
});

test('a request object (JAR) is refused at /request: request objects are off', async (t) => {
  const answer = await push(app, { request: 'eyJhbGciOiJub25lIn0.eyJzY29wZSI6Im9wZW5pZCJ9.' });
  t.is(answer.status, 400);
  t.is(answer.json.error, 'request_not_supported');
});

test('a browser app pushes from its registered web origin only (CORS)', async (t) => {
  const origin = 'http://127.0.0.1:5173';
  const spa = await stack.cli<{ client_id: string }>([
    'clients',
    'create',
    '--name',
    'par spa',
    '--public',
    '--grant',
    'authorization_code',
    '--redirect-uri',
    REDIRECT,
    '--web-origin',
    origin,
    '--resource',
    stack.api,
    '--scope',
    SCOPE,
  ]);
  const allowed = await push(spa, {}, { origin });
  t.is(allowed.status, 201);
  t.is(allowed.headers.get('access-control-allow-origin'), origin);
  t.is(allowed.json.expires_in, 60);
  const other = await push(spa, {}, { origin: 'https://evil.example' });
  t.is(other.status, 400);
  t.is(other.json.error, 'invalid_request');
  t.is(other.headers.get('access-control-allow-origin'), null);
});

test('a dynamically registered client may ask to be required to push (RFC 9126 §6)', async (t) => {
  const { token } = await stack.cli<{ token: string }>([
    'clients',
    'registration-token',
    'create',
    '--resource',
    stack.api,
  ]);
  const register = (fields: Record<string, unknown>) =>
    fetch(`${stack.issuer}/reg`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [REDIRECT], scope: SCOPE, ...fields }),
    });
  const refused = await register({ require_pushed_authorization_requests: 'yes' });
  t.is(refused.status, 400);
  t.deepEqual(await refused.json(), {
    error: 'invalid_client_metadata',
    error_description: 'require_pushed_authorization_requests must be true or false',
  });

  const created = await register({
    client_name: 'pushing registered app',
    require_pushed_authorization_requests: true,
  });
  t.is(created.status, 201);
  const registered = (await created.json()) as {
    client_id: string;
    client_secret: string;
    require_pushed_authorization_requests?: boolean;
  };
  t.true(registered.require_pushed_authorization_requests);
  const config = await discoverClient(stack.issuer, registered);
  const plain = redirectedError(
    await new HttpBrowser(stack.issuer).follow(
      client.buildAuthorizationUrl(config, (await codeRequest()).params).href,
    ),
  );
  t.is(plain.error, 'invalid_request');
  t.is(plain.description, 'Pushed Authorization Request must be used');
  const pushed = await client.buildAuthorizationUrlWithPAR(config, (await codeRequest()).params);
  t.is((await new HttpBrowser(stack.issuer).follow(pushed.href)).response.status, 200);
});
