import { randomBytes } from 'node:crypto';
import { createAuditRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { type Json, seedClient, seedResource, startAuthServer } from './helpers.ts';

// One server behind a "trusted proxy": every request names its own address in X-Forwarded-For, so
// each test counts under addresses of its own. 3 failures per client, 5 per address, a minute.
// Every server of the file shares the key-encryption key, as replicas do.
const LIMITS = {
  PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
  PORTCULLIS_TRUST_PROXY: 'true',
  PORTCULLIS_LIMIT_CLIENT_AUTH: '3/1m',
  PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS: '5/1m',
};

let database: TestDatabase;
let url: string;
let close: () => Promise<void>;
test.before(async () => {
  database = await createTestDatabase();
  await seedResource(database);
  const started = await startAuthServer(database, LIMITS);
  url = started.url;
  close = () => started.server.close();
});
test.after.always(async () => {
  await close?.();
  await database?.drop();
});

let lastAddress = 0;
/** A documentation address (RFC 5737) no other test uses. */
const newAddress = () => `198.51.100.${++lastAddress}`;

interface Call {
  path?: string;
  clientId: string;
  secret: string;
  /** HTTP Basic (default) or client_secret_post. */
  post?: boolean;
  address?: string;
  forwardedFor?: string;
  form?: Record<string, string>;
  server?: string;
}

/** One client-authenticated POST: the status, headers and JSON body. */
async function call(options: Call) {
  const body = new URLSearchParams(options.form ?? { grant_type: 'client_credentials' });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (options.post) {
    body.set('client_id', options.clientId);
    body.set('client_secret', options.secret);
  } else {
    const basic = `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.secret)}`;
    headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
  }
  const forwarded = options.forwardedFor ?? options.address;
  if (forwarded) headers['x-forwarded-for'] = forwarded;
  const response = await fetch(`${options.server ?? url}${options.path ?? '/token'}`, {
    method: 'POST',
    headers,
    body,
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Json,
  };
}

const WRONG_BODY = { error: 'invalid_client', error_description: 'client authentication failed' };

async function hits(filter: { clientId?: string; address?: string } = {}) {
  const events = await createAuditRepository(database.db).list({
    type: 'rate_limit.hit',
    limit: 1000,
  });
  return events.filter(
    (e) =>
      (filter.clientId === undefined || e.clientId === filter.clientId) &&
      (filter.address === undefined || e.address === filter.address),
  );
}

test('per client: past the limit failures get 429 with Retry-After and the same body, and the right secret still works', async (t) => {
  const client = await seedClient(database);
  const wrong = { clientId: client.clientId, secret: 'not-the-secret' };
  let address = '';
  for (let i = 0; i < 3; i += 1) {
    address = newAddress();
    const failure = await call({ ...wrong, address });
    t.is(failure.status, 401);
    t.deepEqual(failure.json, WRONG_BODY);
    t.regex(failure.headers.get('www-authenticate') ?? '', /^Basic /);
    t.is(failure.headers.get('retry-after'), null);
  }
  address = newAddress();
  const limited = await call({ ...wrong, address });
  t.is(limited.status, 429);
  t.deepEqual(limited.json, WRONG_BODY, 'the same answer as wrong credentials');
  const retryAfter = Number(limited.headers.get('retry-after'));
  t.true(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
  t.is(limited.headers.get('www-authenticate'), null);
  t.is(limited.headers.get('cache-control'), 'no-store');

  const posted = await call({ ...wrong, post: true, address: newAddress() });
  t.is(posted.status, 429, 'client_secret_post counts under the same client');

  const right = await call({ clientId: client.clientId, secret: client.clientSecret });
  t.is(right.status, 200, 'a client with its own secret is never refused');
  t.truthy(right.json.access_token);

  const other = await seedClient(database);
  const unaffected = await call({ clientId: other.clientId, secret: 'x', address: newAddress() });
  t.is(unaffected.status, 401, 'another client has its own count');

  const [hit, ...more] = await hits({ clientId: client.clientId });
  t.is(more.length, 0, 'one event per lockout, however many refusals');
  t.is(hit?.actor, 'system');
  t.is(hit?.address, address, 'the address of the failure that locked');
  t.like(hit?.details, { limit: 'client_auth', key: 'client', endpoint: 'token', rule: '3/1m' });
  t.true(typeof hit?.details.retry_after === 'number');
});

test('per address: failures from one address count together, for any client id, known or not', async (t) => {
  const address = newAddress();
  for (let i = 0; i < 5; i += 1) {
    const unknown = await call({ clientId: `nobody-${i}`, secret: 'x', address });
    t.is(unknown.status, 401);
  }
  const limited = await call({ clientId: 'nobody-5', secret: 'x', address });
  t.is(limited.status, 429);
  t.deepEqual(limited.json, WRONG_BODY);
  t.true(Number(limited.headers.get('retry-after')) >= 1);

  const client = await seedClient(database);
  t.is((await call({ clientId: client.clientId, secret: 'x', address })).status, 429);
  t.is(
    (await call({ clientId: client.clientId, secret: 'x', address: newAddress() })).status,
    401,
    'another address has its own count',
  );
  const right = await call({ clientId: client.clientId, secret: client.clientSecret, address });
  t.is(right.status, 200, 'a right secret from a limited address is not refused');

  const events = await hits({ address });
  t.is(events.length, 1);
  t.like(events[0]?.details, { limit: 'client_auth', key: 'address', rule: '5/1m' });
  t.is(events[0]?.clientId, null, 'an unknown client id is not recorded');
});

test('introspection and revocation count failed client authentication with the token endpoint', async (t) => {
  const client = await seedClient(database);
  const issued = await call({ clientId: client.clientId, secret: client.clientSecret });
  const token = { token: issued.json.access_token as string };
  const wrong = { clientId: client.clientId, secret: 'wrong', form: token };
  const introspection = '/token/introspection';
  const revocation = '/token/revocation';

  t.is((await call({ ...wrong, path: introspection, address: newAddress() })).status, 401);
  t.is((await call({ ...wrong, path: revocation, address: newAddress() })).status, 401);
  t.is(
    (await call({ ...wrong, path: introspection, post: true, address: newAddress() })).status,
    401,
  );
  const revoke = await call({ ...wrong, path: revocation, address: newAddress() });
  t.is(revoke.status, 429);
  t.deepEqual(revoke.json, WRONG_BODY);
  t.true(Number(revoke.headers.get('retry-after')) >= 1);
  const introspect = await call({ ...wrong, path: introspection, address: newAddress() });
  t.is(introspect.status, 429);
  t.true(Number(introspect.headers.get('retry-after')) >= 1);
  t.is(
    (await call({ ...wrong, form: { grant_type: 'client_credentials' }, address: newAddress() }))
      .status,
    429,
    'and the token endpoint',
  );

  const right = { clientId: client.clientId, secret: client.clientSecret, form: token };
  const active = await call({ ...right, path: introspection });
  t.is(active.status, 200);
  t.is(active.json.active, false, 'a JWT is not introspected (resource servers verify it)');

  const events = await hits({ clientId: client.clientId });
  t.is(events.length, 1);
  t.like(events[0]?.details, { key: 'client', endpoint: 'revocation' });
});

test('device authorization and pushed authorization requests count too', async (t) => {
  const client = await seedClient(database);
  const wrong = { clientId: client.clientId, secret: 'wrong', form: { scope: 'openid' } };
  t.is((await call({ ...wrong, path: '/device/auth', address: newAddress() })).status, 401);
  t.is((await call({ ...wrong, path: '/request', address: newAddress() })).status, 401);
  t.is((await call({ ...wrong, path: '/device/auth', address: newAddress() })).status, 401);
  const limited = await call({ ...wrong, path: '/request', address: newAddress() });
  t.is(limited.status, 429);
  t.deepEqual(limited.json, WRONG_BODY);
  t.true(Number(limited.headers.get('retry-after')) >= 1);
  const [event] = await hits({ clientId: client.clientId });
  t.like(event?.details, { endpoint: 'pushed_authorization_request' });
});

test('X-Forwarded-For behind a trusted proxy: the address the proxy saw, not one the client wrote', async (t) => {
  const seen = newAddress();
  for (let i = 0; i < 5; i += 1) {
    const spoofed = `192.0.2.${i + 1}, ${seen}`;
    t.is((await call({ clientId: 'nobody', secret: 'x', forwardedFor: spoofed })).status, 401);
  }
  const limited = await call({
    clientId: 'nobody',
    secret: 'x',
    forwardedFor: `192.0.2.99, ${seen}`,
  });
  t.is(limited.status, 429, 'the spoofed first entries did not split the count');
  const [event] = await hits({ address: seen });
  t.is(event?.address, seen);
});

test('without a trusted proxy, X-Forwarded-For is ignored: the socket address counts', async (t) => {
  const untrusted = await startAuthServer(database, {
    ...LIMITS,
    PORTCULLIS_TRUST_PROXY: 'false',
    PORTCULLIS_LIMIT_CLIENT_AUTH: 'off',
    PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS: '2/1m',
  });
  t.teardown(() => untrusted.server.close());
  const server = untrusted.url;
  for (let i = 0; i < 2; i += 1) {
    const forwardedFor = newAddress();
    t.is((await call({ server, clientId: 'nobody', secret: 'x', forwardedFor })).status, 401);
  }
  const limited = await call({
    server,
    clientId: 'nobody',
    secret: 'x',
    forwardedFor: newAddress(),
  });
  t.is(limited.status, 429, 'three different X-Forwarded-For values, one address');
  const [event] = await hits({ address: '127.0.0.1' });
  t.like(event?.details, { key: 'address', rule: '2/1m' });
});

test('the lockout ends a window after it started', async (t) => {
  const short = await startAuthServer(database, {
    ...LIMITS,
    PORTCULLIS_LIMIT_CLIENT_AUTH: '2/2s',
  });
  t.teardown(() => short.server.close());
  const server = short.url;
  const client = await seedClient(database);
  const wrong = { server, clientId: client.clientId, secret: 'wrong' };
  t.is((await call({ ...wrong, address: newAddress() })).status, 401);
  t.is((await call({ ...wrong, address: newAddress() })).status, 401);
  const limited = await call({ ...wrong, address: newAddress() });
  t.is(limited.status, 429);
  const retryAfter = Number(limited.headers.get('retry-after'));
  t.true(retryAfter >= 1 && retryAfter <= 2, String(retryAfter));
  await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
  t.is((await call({ ...wrong, address: newAddress() })).status, 401, 'counting starts again');
  t.is((await call({ ...wrong, address: newAddress() })).status, 401);
  t.is((await call({ ...wrong, address: newAddress() })).status, 429, 'and locks again');
  t.is((await hits({ clientId: client.clientId })).length, 2, 'one event per lockout');
});

test('limits set to off count nothing', async (t) => {
  const open = await startAuthServer(database, {
    ...LIMITS,
    PORTCULLIS_LIMIT_CLIENT_AUTH: 'off',
    PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS: 'off',
  });
  t.teardown(() => open.server.close());
  const client = await seedClient(database);
  const address = newAddress();
  const statuses = [];
  for (let i = 0; i < 8; i += 1) {
    statuses.push(
      (await call({ server: open.url, clientId: client.clientId, secret: 'x', address })).status,
    );
  }
  t.deepEqual(statuses, Array(8).fill(401));
  const rows = await database.db('rate_limits').where('key', 'like', `%${client.clientId}%`);
  t.deepEqual(rows, []);
});

test('the counters live in PostgreSQL, keyed by limit and client id or address', async (t) => {
  const client = await seedClient(database);
  const address = newAddress();
  await call({ clientId: client.clientId, secret: randomBytes(8).toString('hex'), address });
  const rows = await database
    .db('rate_limits')
    .whereIn('key', [`client:${client.clientId}`, `client-address:${address}`])
    .orderBy('key');
  t.deepEqual(
    rows.map((r: { key: string; points: number }) => [r.key, r.points]),
    [
      [`client-address:${address}`, 1],
      [`client:${client.clientId}`, 1],
    ],
  );
  t.true(rows.every((r: { expire: string }) => Number(r.expire) > Date.now()));
});
