import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { type AuthServer, createKeysService, type ServerConfig } from '../src/index.ts';
import { getJson, seedClient, seedResource, testConfig, tokenRequest } from './helpers.ts';
import { sampleValue, scrape, startObservedServer } from './observability-fixtures.ts';

let database: TestDatabase;
let server: AuthServer;
let config: ServerConfig;
let url: string;
let metricsUrl: string;
test.before(async () => {
  database = await createTestDatabase();
  await seedResource(database);
  const started = await startObservedServer(database, { PORTCULLIS_METRICS_PORT: '0' });
  server = started.server;
  config = started.config;
  url = started.url;
  metricsUrl = server.metricsUrl as string;
});
test.after.always(async () => {
  await server?.close();
  await database?.drop();
});

// Tests run one at a time: each reads counters that the others' requests also move.

test.serial(
  'token issuance is counted by grant type and client, requests by route and status',
  async (t) => {
    const client = await seedClient(database);
    for (let i = 0; i < 3; i += 1) {
      const { response } = await tokenRequest(url, client, { grant_type: 'client_credentials' });
      t.is(response.status, 200);
    }
    const { samples } = await scrape(metricsUrl);
    t.is(
      sampleValue(samples, 'portcullis_tokens_issued_total', {
        grant_type: 'client_credentials',
        client_id: client.clientId,
      }),
      3,
    );
    t.true(
      (sampleValue(samples, 'portcullis_http_requests_total', {
        route: 'token',
        method: 'POST',
        status: '200',
      }) ?? 0) >= 3,
    );
    const count = sampleValue(samples, 'portcullis_http_request_duration_seconds_count', {
      route: 'token',
      method: 'POST',
    });
    t.true((count ?? 0) >= 3, 'a latency histogram per route');
    t.is(
      sampleValue(samples, 'portcullis_http_request_duration_seconds_bucket', {
        route: 'token',
        method: 'POST',
        le: '+Inf',
      }),
      count,
    );
    t.true(
      (sampleValue(samples, 'portcullis_http_request_duration_seconds_sum', { route: 'token' }) ??
        0) > 0,
    );
  },
);

test.serial('failures are counted by OAuth error code, and issue no token', async (t) => {
  const client = await seedClient(database);
  const before = await scrape(metricsUrl);
  const errors = (samples: typeof before.samples, error: string) =>
    sampleValue(samples, 'portcullis_oauth_errors_total', { route: 'token', error }) ?? 0;
  const wrong = await tokenRequest(
    url,
    { clientId: client.clientId, clientSecret: 'not-the-secret' },
    { grant_type: 'client_credentials' },
  );
  t.is(wrong.response.status, 401);
  t.is(wrong.json.error, 'invalid_client');
  const password = await tokenRequest(url, client, {
    grant_type: 'password',
    username: 'u',
    password: 'p',
  });
  t.is(password.json.error, 'unsupported_grant_type');
  const scope = await tokenRequest(url, client, {
    grant_type: 'client_credentials',
    scope: 'not-a-scope',
  });
  t.is(scope.json.error, 'invalid_scope');

  const after = await scrape(metricsUrl);
  t.is(errors(after.samples, 'invalid_client') - errors(before.samples, 'invalid_client'), 1);
  t.is(
    errors(after.samples, 'unsupported_grant_type') -
      errors(before.samples, 'unsupported_grant_type'),
    1,
  );
  t.is(errors(after.samples, 'invalid_scope') - errors(before.samples, 'invalid_scope'), 1);
  t.is(
    sampleValue(after.samples, 'portcullis_tokens_issued_total', { client_id: client.clientId }),
    undefined,
    'no token was issued to this client',
  );
  t.true(
    (sampleValue(after.samples, 'portcullis_http_requests_total', {
      route: 'token',
      status: '401',
    }) ?? 0) >= 1,
  );
});

test.serial('route labels are names, never raw paths', async (t) => {
  const marker = `probe${Date.now()}`;
  t.is((await fetch(`${url}/${marker}/x?code=${marker}`)).status, 404);
  await fetch(`${url}/interaction/${marker}`);
  await getJson(`${url}/.well-known/openid-configuration`);
  await fetch(`${url}/healthz`);
  await fetch(`${url}/`);
  await fetch(`${url}/favicon.ico`);
  const { text, samples } = await scrape(metricsUrl);
  t.false(text.includes(marker), 'neither the path nor the query shows up');
  for (const route of ['unmatched', 'interaction', 'discovery', 'healthz', 'home', 'favicon']) {
    t.truthy(sampleValue(samples, 'portcullis_http_requests_total', { route }), route);
  }
  const routes = new Set(
    samples.filter((s) => s.name === 'portcullis_http_requests_total').map((s) => s.labels.route),
  );
  for (const route of routes) t.regex(route ?? '', /^[a-z_.]+$/);
});

test.serial(
  'the database pool, signing-key ages, rate-limit hits and process metrics',
  async (t) => {
    server.metrics.rateLimitHit('token_client');
    const { samples } = await scrape(metricsUrl);
    for (const state of ['used', 'free', 'pending']) {
      const value = sampleValue(samples, 'portcullis_db_pool_connections', { state });
      t.true(value !== undefined && value >= 0, state);
    }
    t.true((sampleValue(samples, 'portcullis_db_pool_connections', { state: 'free' }) ?? 0) >= 1);
    t.is(sampleValue(samples, 'portcullis_db_pool_max_connections'), 10);
    t.is(sampleValue(samples, 'portcullis_db_pool_waiting_queries'), 0);

    const published = (await getJson(`${url}/jwks`)).keys as Array<{ kid: string; alg: string }>;
    const ages = samples.filter((s) => s.name === 'portcullis_signing_key_age_seconds');
    t.deepEqual(
      ages.map((s) => `${s.labels.kid}/${s.labels.alg}/${s.labels.state}`).sort(),
      published.map((k) => `${k.kid}/${k.alg}/active`).sort(),
    );
    for (const age of ages) t.true(age.value >= 0 && age.value < 3600);

    t.is(sampleValue(samples, 'portcullis_rate_limit_hits_total', { limit: 'token_client' }), 1);
    t.truthy(sampleValue(samples, 'process_cpu_user_seconds_total'));
    t.truthy(sampleValue(samples, 'nodejs_heap_size_used_bytes'));
  },
);

test.serial('a staged key rotation shows in the signing-key ages', async (t) => {
  const staged = await createKeysService(database.db).rotate({
    keyEncryptionKey: config.keyEncryptionKey,
    propagationSeconds: 3600,
    actor: 'test',
  });
  const expected = staged.map((key) => `${key.kid}/${key.alg}/next`).sort();
  // The server hears of the rotation through NOTIFY; look until it has (bounded).
  let seen: string[] = [];
  for (let i = 0; i < 50 && expected.some((k) => !seen.includes(k)); i += 1) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    seen = (await scrape(metricsUrl)).samples
      .filter((s) => s.name === 'portcullis_signing_key_age_seconds')
      .map((s) => `${s.labels.kid}/${s.labels.alg}/${s.labels.state}`);
  }
  for (const key of expected) t.true(seen.includes(key), key);
  t.is(seen.filter((k) => k.endsWith('/active')).length, 2, 'the active keys are still there');
});

test.serial(
  'the metrics listener serves only GET /metrics, and not on the public port',
  async (t) => {
    t.regex(metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const page = await fetch(metricsUrl);
    t.regex(page.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    t.is(page.headers.get('cache-control'), 'no-store');
    t.is((await fetch(new URL('/', metricsUrl))).status, 404);
    t.is((await fetch(new URL('/metrics/x', metricsUrl))).status, 404);
    t.is((await fetch(metricsUrl, { method: 'POST' })).status, 405);
    t.is((await fetch(`${url}/metrics`)).status, 404, 'the public listener has no /metrics');
  },
);

test('no metrics listener unless PORTCULLIS_METRICS_PORT is set', async (t) => {
  const quiet = await startObservedServer(database, {
    PORTCULLIS_KEY_ENCRYPTION_KEY: config.keyEncryptionKey.toString('base64url'),
  });
  t.teardown(() => quiet.server.close());
  t.is(quiet.server.metricsUrl, undefined);
  t.is(testConfig({ PORTCULLIS_METRICS_PORT: 'off' }).metricsPort, undefined);
  t.is(testConfig({ PORTCULLIS_METRICS_PORT: '9464' }).metricsPort, 9464);
  t.is(testConfig().metricsHost, '127.0.0.1');
  t.is(testConfig({ PORTCULLIS_METRICS_HOST: '0.0.0.0' }).metricsHost, '0.0.0.0');
});

test('bad metrics settings are refused with the variable name', (t) => {
  for (const [name, value] of [
    ['PORTCULLIS_METRICS_PORT', 'on'],
    ['PORTCULLIS_METRICS_PORT', '70000'],
    ['PORTCULLIS_METRICS_PORT', '-1'],
    ['PORTCULLIS_METRICS_HOST', 'not a host'],
    ['PORTCULLIS_METRICS_HOST', 'http://x'],
  ] as const) {
    const error = t.throws(() => testConfig({ [name]: value }));
    t.regex(error?.message ?? '', new RegExp(name), `${name}=${value}`);
  }
});
