import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { createClientsService, createJsonLogger } from '../src/index.ts';
import { runInRequestScope } from '../src/observability/request-scope.ts';
import { seedClient, seedResource, tokenRequest } from './helpers.ts';
import { captureLogs, type LogLine, startObservedServer } from './observability-fixtures.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
  await seedResource(database);
});
test.after.always(async () => {
  await database?.drop();
});

const accessLines = (lines: LogLine[]) => lines.filter((line) => line.message === 'request');

// Every server in this file shares the database, so they share its key-encryption key.
const KEY_ENCRYPTION_KEY = randomBytes(32).toString('base64url');

/** Starts a server with captured logs on the test database. */
function observed(env: Record<string, string> = {}) {
  return startObservedServer(database, {
    PORTCULLIS_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY,
    ...env,
  });
}

test('every request gets a generated id, echoed in X-Request-Id and its access line', async (t) => {
  const { server, url, logs } = await observed();
  t.teardown(() => server.close());
  const client = await seedClient(database);
  const { response } = await tokenRequest(url, client, { grant_type: 'client_credentials' });
  const id = response.headers.get('x-request-id') ?? '';
  t.regex(id, UUID);
  const health = await fetch(`${url}/healthz`);
  const other = health.headers.get('x-request-id') ?? '';
  t.regex(other, UUID);
  t.not(other, id);

  const access = accessLines(logs.lines());
  t.is(access.length, 2, 'exactly one access line per request');
  const [token, healthz] = access;
  t.like(token, {
    level: 'info',
    request_id: id,
    method: 'POST',
    route: 'token',
    path: '/token',
    status: 200,
    client_id: client.clientId,
  });
  t.true(typeof token?.duration_ms === 'number' && token.duration_ms >= 0);
  t.regex(token?.address ?? '', /127\.0\.0\.1/);
  t.regex(token?.time ?? '', /^\d{4}-\d\d-\d\dT/);
  t.like(healthz, { request_id: other, route: 'healthz', status: 200, method: 'GET' });
  t.false('client_id' in (healthz ?? {}), 'no client on a health check');
});

test('the access line of a refused OAuth request carries its error, description and detail, never a secret', async (t) => {
  const { server, url, logs } = await observed();
  t.teardown(() => server.close());
  const service = await seedClient(database);
  const created = await createClientsService(database.db).create({
    name: `app-${randomBytes(4).toString('hex')}`,
    grants: ['authorization_code'],
    redirectUris: ['https://app.example/cb'],
    scopes: ['openid'],
  });
  const app = { clientId: created.client.id, clientSecret: created.clientSecret as string };
  const code = `c0de${randomBytes(8).toString('hex')}`;
  const wrongSecret = `wr0ng${randomBytes(8).toString('hex')}`;
  const requests = [
    () =>
      tokenRequest(
        url,
        { ...service, clientSecret: wrongSecret },
        { grant_type: 'client_credentials' },
      ),
    () =>
      tokenRequest(url, app, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'https://app.example/cb',
        code_verifier: 'v'.repeat(43),
      }),
    () => tokenRequest(url, service, { grant_type: 'urn:example:nothing' }),
    () => tokenRequest(url, service, { grant_type: 'client_credentials', scope: 'notes:admin' }),
    () => tokenRequest(url, service, { grant_type: 'client_credentials' }),
  ];
  const answers = [];
  // One after the other, so the access lines come in the order of the requests.
  for (const request of requests) answers.push(await request());
  const access = accessLines(logs.lines());
  t.is(access.length, 5);
  const fields = access.map((line) => {
    const { error, error_description, error_detail, status } = line;
    return { status, error, error_description, error_detail };
  });
  t.deepEqual(fields, [
    {
      status: 401,
      error: 'invalid_client',
      error_description: 'client authentication failed',
      error_detail: 'invalid secret provided',
    },
    {
      status: 400,
      error: 'invalid_grant',
      error_description: 'grant request is invalid',
      error_detail: 'authorization code not found',
    },
    {
      status: 400,
      error: 'unsupported_grant_type',
      error_description: 'unsupported grant_type requested',
      error_detail: undefined,
    },
    {
      status: 400,
      error: 'invalid_scope',
      error_description: answers[3]?.json.error_description,
      error_detail: undefined,
    },
    { status: 200, error: undefined, error_description: undefined, error_detail: undefined },
  ]);
  // Each line says what the client was told.
  for (const [i, answer] of answers.entries()) {
    t.is(fields[i]?.error, answer.json.error as string | undefined);
    t.is(fields[i]?.error_description, answer.json.error_description as string | undefined);
  }
  for (const secret of [code, wrongSecret, service.clientSecret, app.clientSecret]) {
    t.false(logs.text().includes(secret), 'no code or secret sent is logged');
  }
});

test('a client X-Request-Id is ignored unless the proxy is trusted', async (t) => {
  const { server, url, logs } = await observed();
  t.teardown(() => server.close());
  const response = await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'from-client-1' } });
  const id = response.headers.get('x-request-id') ?? '';
  t.regex(id, UUID);
  t.is(accessLines(logs.lines())[0]?.request_id, id);
  t.false(logs.text().includes('from-client-1'));
});

test('behind a trusted proxy its safe X-Request-Id is kept; an unsafe one is replaced', async (t) => {
  const { server, url, logs } = await observed({ PORTCULLIS_TRUST_PROXY: 'true' });
  t.teardown(() => server.close());
  const kept = await fetch(`${url}/healthz`, {
    headers: { 'x-request-id': 'Root=1-5759e988-bd862e3fe1be46a994272793' },
  });
  t.is(kept.headers.get('x-request-id'), 'Root=1-5759e988-bd862e3fe1be46a994272793');
  for (const unsafe of ['has space', 'x'.repeat(129), 'quote"s', '-leading-dash', 'a\\b']) {
    const replaced = await fetch(`${url}/healthz`, { headers: { 'x-request-id': unsafe } });
    t.regex(replaced.headers.get('x-request-id') ?? '', UUID, unsafe);
  }
  const access = accessLines(logs.lines());
  t.is(access.length, 6);
  t.is(access[0]?.request_id, 'Root=1-5759e988-bd862e3fe1be46a994272793');
  for (const line of access.slice(1)) t.regex(line.request_id, UUID);
});

test('the address behind a trusted proxy is the one the proxy saw (last X-Forwarded-For)', async (t) => {
  const trusted = await observed({ PORTCULLIS_TRUST_PROXY: 'true' });
  t.teardown(() => trusted.server.close());
  const direct = await observed();
  t.teardown(() => direct.server.close());
  const headers = { 'x-forwarded-for': '198.51.100.9, 203.0.113.7' };
  await fetch(`${trusted.url}/healthz`, { headers });
  await fetch(`${direct.url}/healthz`, { headers });
  t.is(accessLines(trusted.logs.lines())[0]?.address, '203.0.113.7');
  t.regex(accessLines(direct.logs.lines())[0]?.address ?? '', /127\.0\.0\.1/);
});

test('the access line has no query string, and log lines written during a request carry its id', async (t) => {
  const { server, url, logs } = await observed();
  t.teardown(() => server.close());
  const secret = `s3cr3t${Date.now()}`;
  const response = await fetch(
    `${url}/auth?client_id=nobody&code=${secret}&access_token=${secret}&response_type=code`,
    { headers: { authorization: `Bearer ${secret}`, cookie: `_session=${secret}` } },
  );
  const id = response.headers.get('x-request-id');
  t.false(logs.text().includes(secret), 'no secret anywhere in the logs');
  const access = accessLines(logs.lines());
  t.is(access.length, 1);
  t.like(access[0], { path: '/auth', route: 'authorization', request_id: id });
  // An error page, not a JSON body: the error still comes from oidc-provider's error event.
  t.is(access[0]?.error, 'invalid_client');
  for (const line of logs.lines()) t.is(line.request_id, id, line.message);
});

test('one access line per request under concurrency, each with its own id', async (t) => {
  const { server, url, logs } = await observed();
  t.teardown(() => server.close());
  const client = await seedClient(database);
  const responses = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      i % 2
        ? tokenRequest(url, client, { grant_type: 'client_credentials' }).then((r) => r.response)
        : fetch(`${url}/jwks`),
    ),
  );
  const ids = responses.map((r) => r.headers.get('x-request-id'));
  t.is(new Set(ids).size, 20);
  const access = accessLines(logs.lines());
  t.is(access.length, 20);
  t.deepEqual(access.map((line) => line.request_id).sort(), [...ids].sort());
  for (const line of access) {
    const response = responses[ids.indexOf(line.request_id)];
    t.is(line.status, response?.status);
    t.is(line.route, line.path === '/token' ? 'token' : 'jwks');
  }
});

test('a client that goes away mid-request still gets exactly one access line', async (t) => {
  const { server, url, logs } = await observed();
  t.teardown(() => server.close());
  // `Expect: 100-continue` makes the server say when it has the request; then the body never comes.
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  socket.write(
    'POST /token HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n' +
      'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n',
  );
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  t.regex(String(chunk), /^HTTP\/1\.1 100 Continue/);
  socket.destroy();
  let access: LogLine[] = [];
  for (let i = 0; i < 100 && access.length === 0; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    access = accessLines(logs.lines());
  }
  t.is(access.length, 1);
  t.like(access[0], { route: 'token', method: 'POST', aborted: true });
  const others = logs.lines().filter((line) => line.message !== 'request');
  for (const line of others) t.is(line.request_id, access[0]?.request_id, line.message);
  const metrics = await server.metrics.registry.getSingleMetricAsString(
    'portcullis_http_requests_total',
  );
  t.regex(metrics, /route="token",method="POST",status="aborted"} 1/);
});

function loggedText(write: (logger: ReturnType<typeof createJsonLogger>) => void): string {
  let text = '';
  const logger = createJsonLogger(
    new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
  );
  write(logger);
  return text;
}

test('fields named like a secret are redacted at any depth', (t) => {
  const secrets = {
    authorization: 'Basic c2VjcmV0LWF1dGg=',
    password: 'pw-secret-1',
    client_secret: 'cs-secret-2',
    code: 'code-secret-3',
    code_verifier: 'verifier-secret-4',
    refresh_token: 'rt-secret-5',
    access_token: 'at-secret-6',
    id_token: 'idt-secret-7',
    dpop: 'dpop-secret-8',
    cookie: '_session=cookie-secret-9',
    token: 'token-secret-10',
    client_assertion: 'assertion-secret-11',
  };
  const text = loggedText((logger) => {
    logger.info('top level', { ...secrets, kept: 'visible-1' });
    logger.warn('nested', { request: { headers: { ...secrets, 'set-cookie': 'sc-secret-12' } } });
    logger.error('deeper', { a: { b: { c: { password: 'pw-deep-13' } } }, kept: 'visible-2' });
    logger.info('in arrays', { attempts: [{ password: 'pw-array-14' }] });
    logger.info('any case, any depth', {
      a: { b: { c: { d: { headers: { Authorization: 'Bearer-ish-15', Cookie: 'ck-16' } } } } },
      Client_Secret: 'cs-upper-17',
    });
  });
  for (const value of [
    ...Object.values(secrets),
    'sc-secret-12',
    'pw-deep-13',
    'pw-array-14',
    'Bearer-ish-15',
    'ck-16',
    'cs-upper-17',
  ]) {
    t.false(text.includes(value), value);
  }
  t.true(text.includes('visible-1') && text.includes('visible-2'));
  t.true(text.includes('[redacted]'));
  t.is(text.trim().split('\n').length, 5, 'one line each');
});

test('secrets inside logged text are scrubbed: query strings, JSON, credentials, JWTs', (t) => {
  const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU';
  const text = loggedText((logger) => {
    logger.error('callback failed for /cb?state=ok&code=qs-code-1&x=1', {
      error: new Error(`refresh_token=qs-rt-2 rejected; token ${jwt}`),
      detail: 'body {"client_secret": "json-cs-3", "scope": "notes:read"}',
      header: 'Authorization: Bearer bearer-4 and DPoP dpop-5',
      again: `Basic YmFzaWMtNg==`,
    });
  });
  for (const value of [
    'qs-code-1',
    'qs-rt-2',
    jwt,
    'json-cs-3',
    'bearer-4',
    'dpop-5',
    'YmFzaWMtNg==',
  ]) {
    t.false(text.includes(value), value);
  }
  const line = JSON.parse(text) as LogLine;
  t.is(line.message, 'callback failed for /cb?state=ok&code=[redacted]&x=1');
  t.regex(line.detail, /"scope": "notes:read"/, 'the rest of the text stays');
  t.is(line.error.name, 'Error');
  t.regex(line.error.stack, /observability-logs\.test\.ts/);
});

test('a log line has level, ISO time, pid and message; none outside a request has an id', (t) => {
  const line = JSON.parse(loggedText((logger) => logger.warn('plain', { n: 1 }))) as LogLine;
  t.like(line, { level: 'warn', pid: process.pid, message: 'plain', n: 1 });
  t.regex(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  t.false('request_id' in line);
  t.truthy(captureLogs);
});

test("the access line's time is the time it was written, to the millisecond, as pino writes it", (t) => {
  // Lines over several milliseconds (and so, for some, over a second's change): each time lies
  // between the clock read before and after its line, in toISOString's form.
  for (let i = 0; i < 200; i++) {
    const before = new Date().toISOString();
    const line = JSON.parse(
      loggedText((logger) => logger.request?.('id-1', { method: 'GET', status: 200 })),
    ) as LogLine;
    const after = new Date().toISOString();
    t.regex(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    t.true(before <= line.time && line.time <= after, `${before} <= ${line.time} <= ${after}`);
    const until = Date.now() + (i % 7);
    while (Date.now() < until) {
      // a few milliseconds between some lines
    }
  }
});

test('the access line written directly is the line pino writes for the same request', (t) => {
  const requestId = 'f1b6c0de-0000-4000-8000-000000000001';
  const withoutTime = (text: string) => text.replace(/"time":"[^"]+"/, '"time":"-"');
  const cases: Record<string, unknown>[] = [
    { method: 'POST', route: 'token', path: '/token', status: 200, duration_ms: 1.25 },
    {
      method: 'GET',
      route: 'unmatched',
      path: '/a"quoted\\path\u0001/?code=s3cret-code&x=1 Bearer abc.def eyJa.eyJb.c',
      status: 404,
      aborted: true,
      duration_ms: Number.NaN,
      address: '::ffff:127.0.0.1',
      client_id: undefined,
      client_name: 'Caf\u00e9 \u{1f600} \u2028 tab\tend',
      error: 'invalid_grant',
      error_description: 'grant request is invalid',
      error_detail: 'authorization code not found',
      code: 'named like a secret',
      flag: false,
      nothing: null,
    },
    // Not flat: written by pino itself.
    { method: 'GET', route: 'x', nested: { password: 'p4ss', list: [1, 'Basic Zm9v'] } },
  ];
  for (const fields of cases) {
    const direct = loggedText((logger) => logger.request?.(requestId, fields));
    const viaPino = loggedText((logger) =>
      runInRequestScope({ id: requestId, route: 'token' }, () => logger.info('request', fields)),
    );
    t.is(withoutTime(direct), withoutTime(viaPino));
    t.notRegex(direct, /s3cret|p4ss|abc\.def|Zm9v/);
  }
});
