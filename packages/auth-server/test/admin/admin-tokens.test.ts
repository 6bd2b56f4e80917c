import { createHash } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { createUsersService } from '../../src/index.ts';
import { API, seedClient, seedResource, tokenRequest } from '../helpers.ts';
import { adminClient, adminFetch, startAdminServer } from './admin-fixtures.ts';

// Operator tokens over HTTP: `tokens issue` (POST /tokens) and `tokens revoke --grant`
// (DELETE /tokens/{grant}), with real admin tokens, real introspection, the audit trail.

// The server with the admin API, the client tokens are issued to, two admin clients, a user.
async function start() {
  const database = await createTestDatabase();
  await seedResource(database);
  const started = await startAdminServer(database);
  const users = createUsersService(database.db);
  const alice = await users.create({ username: 'alice', password: 'a long enough password' });
  return {
    database,
    api: started.api,
    issuer: started.url,
    server: started.server,
    service: await seedClient(database, { name: 'reporting', scopes: ['notes:read'] }),
    writer: await adminClient(database, started.url, ['admin:read', 'admin:write']),
    userAdmin: await adminClient(database, started.url, ['admin:write', 'admin:users']),
    aliceId: alice.id,
  };
}
let setup: Awaited<ReturnType<typeof start>>;
let database: TestDatabase;
let api: string;
let issuer: string;
let service: { clientId: string; clientSecret: string };
let writer: Awaited<ReturnType<typeof adminClient>>;
let userAdmin: Awaited<ReturnType<typeof adminClient>>;
let aliceId: string;

test.before(async () => {
  setup = await start();
  ({ database, api, issuer, service, writer, userAdmin, aliceId } = setup);
});
test.after.always(async () => {
  await setup?.server.close();
  await setup?.database.drop();
});

// What the token's own client learns from the introspection endpoint (RFC 7662).
async function introspect(token: string) {
  const basic = `${encodeURIComponent(service.clientId)}:${encodeURIComponent(service.clientSecret)}`;
  const response = await fetch(`${issuer}/token/introspection`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(basic).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token }),
  });
  return (await response.json()) as Record<string, unknown>;
}

const issue = async (token: string, body: unknown) =>
  adminFetch(api, '/tokens', { token, method: 'POST', body });

const auditOf = (type: string, grantId: string) =>
  database.db('audit_events').where({ type }).whereRaw(`details->>'grant_id' = ?`, [grantId]);

test('issue for the client itself: 201, shown once, no-store, introspectable with its grant_id, audited', async (t) => {
  const { response, json } = await issue(await writer.token(), {
    client: 'reporting',
    scope: 'notes:read',
    resource: API,
    ttl: '12h',
  });
  t.is(response.status, 201);
  t.is(response.headers.get('cache-control'), 'no-store');
  t.like(json, {
    token_type: 'Bearer',
    expires_in: 12 * 3600,
    scope: 'notes:read',
    resource: API,
    client_id: service.clientId,
    sub: null,
  });
  const token = json.access_token as string;
  const claims = await introspect(token);
  t.like(claims, { active: true, client_id: service.clientId, scope: 'notes:read', aud: API });
  t.is(claims.grant_id, json.grant_id, 'the revocation feed can name it');
  const [event] = await auditOf('token.issued', json.grant_id);
  t.is(event?.actor, `client:${writer.clientId}`);
  // Stored only as a digest: the value is nowhere in the database.
  const dump = JSON.stringify(await database.db('oidc_artifacts').select('*'));
  t.false(dump.includes(token));
  t.false(JSON.stringify(await database.db('audit_events').select('*')).includes(token));
  t.not(createHash('sha256').update(token).digest('hex'), token);
});

test('a token for a user needs admin:users besides admin:write: 403 without, 201 with', async (t) => {
  const body = { client: service.clientId, user: 'alice', scope: 'notes:read', resource: API };
  const refused = await issue(await writer.token(), body);
  t.is(refused.response.status, 403);
  t.is(refused.json.type, 'urn:portcullis:problem:forbidden');
  t.is(refused.json.error, 'insufficient_scope');
  t.deepEqual(refused.json.errors, [
    { field: 'user', pointer: '/user', detail: 'user needs a token with admin:users' },
  ]);
  t.regex(
    refused.response.headers.get('www-authenticate') ?? '',
    /scope="admin:write admin:users"/,
  );
  t.is(
    await database.db('audit_events').where({ type: 'token.issued', subject: aliceId }).first(),
    undefined,
  );

  const issued = await issue(await userAdmin.token(), body);
  t.is(issued.response.status, 201);
  t.is(issued.json.sub, aliceId);
  t.like(await introspect(issued.json.access_token), { active: true, sub: aliceId });
});

test.serial('bad bodies: the service refuses with the field named, nothing issued', async (t) => {
  const token = await writer.token();
  const before = await database.db('audit_events').where({ type: 'token.issued' }).count();
  const cases: Array<[unknown, number, string | undefined]> = [
    [{ client: 'reporting', resource: API }, 400, '/scope'],
    [{ client: 'reporting', scope: 'notes:read', resource: API, extra: 1 }, 400, '/extra'],
    [{ client: 'reporting', scope: 'notes:read', resource: API, ttl: '9999d' }, 400, '/ttl'],
    [{ client: 'reporting', scope: 'notes:write', resource: API }, 400, '/scope'],
    [{ client: 'reporting', scope: 'notes:read', resource: 'not a uri' }, 400, undefined],
    [{ client: 'reporting', user: 'nobody', scope: 'notes:read', resource: API }, 403, '/user'],
  ];
  for (const [body, status, pointer] of cases) {
    const reply = await issue(token, body);
    t.is(reply.response.status, status, JSON.stringify(body));
    t.is(reply.response.headers.get('content-type')?.split(';')[0], 'application/problem+json');
    if (pointer) t.is(reply.json.errors?.[0]?.pointer, pointer, JSON.stringify(body));
  }
  // An unknown client, user or resource in the body is a bad body, not a missing page.
  const unknown: Array<[Record<string, string>, string, string]> = [
    [{ client: 'nobody' }, 'client', 'no client with id or name "nobody"'],
    [{ user: 'nobody' }, 'user', 'no user with id or username "nobody"'],
    [{ resource: 'https://nowhere.example' }, 'resource', 'no resource "https://nowhere.example"'],
  ];
  for (const [change, field, detail] of unknown) {
    const body = { client: 'reporting', scope: 'notes:read', resource: API, ...change };
    const reply = await issue(await userAdmin.token(), body);
    t.is(reply.response.status, 400, field);
    t.like(reply.json, { type: 'urn:portcullis:problem:invalid-input', status: 400, detail });
    t.deepEqual(reply.json.errors, [{ field, pointer: `/${field}`, detail }]);
  }
  const notJson = await adminFetch(api, '/tokens', {
    token,
    method: 'POST',
    body: '{"client":',
  });
  t.is(notJson.response.status, 400);
  t.deepEqual(await database.db('audit_events').where({ type: 'token.issued' }).count(), before);
});

test('revoke by grant: 200 with counts, introspection inactive, audited; again 404', async (t) => {
  const issued = await issue(await writer.token(), {
    client: 'reporting',
    scope: 'notes:read',
    resource: API,
  });
  const grant = issued.json.grant_id as string;
  const token = await writer.token();
  const revoked = await adminFetch(api, `/tokens/${grant}`, { token, method: 'DELETE' });
  t.is(revoked.response.status, 200);
  t.deepEqual(revoked.json, { revoked: { AccessToken: 1, Grant: 1 }, total: 2 });
  t.deepEqual(await introspect(issued.json.access_token), { active: false });
  const [event] = await auditOf('token.revoked', grant);
  t.is(event?.actor, `client:${writer.clientId}`);
  const again = await adminFetch(api, `/tokens/${grant}`, { token, method: 'DELETE' });
  t.is(again.response.status, 404);
  t.is(again.json.type, 'urn:portcullis:problem:not-found');
});

test('refusals: no token 401, admin:read only 403, another audience 401; nothing issued or revoked', async (t) => {
  const body = { client: 'reporting', scope: 'notes:read', resource: API };
  const kept = await issue(await writer.token(), body);
  const grant = kept.json.grant_id as string;
  const reader = await adminClient(database, issuer, ['admin:read']);
  const other = await tokenRequest(issuer, service, {
    grant_type: 'client_credentials',
    scope: 'notes:read',
    resource: API,
  });
  const attempts: Array<[string | undefined, number]> = [
    [undefined, 401],
    [await reader.token(), 403],
    [other.json.access_token as string, 401],
  ];
  for (const [token, status] of attempts) {
    const post = await adminFetch(api, '/tokens', {
      ...(token ? { token } : {}),
      method: 'POST',
      body,
    });
    t.is(post.response.status, status);
    const del = await adminFetch(api, `/tokens/${grant}`, {
      ...(token ? { token } : {}),
      method: 'DELETE',
    });
    t.is(del.response.status, status);
  }
  t.like(await introspect(kept.json.access_token), { active: true });
});

test.serial(
  'list: the live operator tokens, newest first, paged, never a token; admin:read',
  async (t) => {
    const body = { client: 'reporting', scope: 'notes:read', resource: API };
    const first = await issue(await writer.token(), body);
    const bob = await createUsersService(database.db).create({
      username: 'bob',
      password: 'another long enough password',
    });
    const forBob = await issue(await userAdmin.token(), { ...body, user: 'bob', ttl: '1h' });
    const last = await issue(await writer.token(), body);
    const reader = await adminClient(database, issuer, ['admin:read']);
    const token = await reader.token();

    const { response, json } = await adminFetch(api, '/tokens?limit=200', { token });
    t.is(response.status, 200);
    t.is(response.headers.get('cache-control'), 'no-store');
    const mine = [first, forBob, last].map((issued) => issued.json.grant_id as string);
    const items = json.items as Array<{ grant_id: string; issued_at: string }>;
    const listed = items.map((item) => item.grant_id);
    t.deepEqual(
      mine.filter((grant) => listed.includes(grant)),
      mine,
    );
    // Newest first: by the second of issue, then by grant id (both descending).
    const key = (item: { grant_id: string; issued_at: string }) => [item.issued_at, item.grant_id];
    for (const [i, item] of items.slice(1).entries()) {
      const [at, grant] = key(item);
      const [beforeAt, beforeGrant] = key(items[i] as (typeof items)[number]);
      t.true(
        (beforeAt as string) > (at as string) ||
          (beforeAt === at && (beforeGrant as string) > (grant as string)),
      );
    }
    const bobs = json.items.find((item: { grant_id: string }) => item.grant_id === mine[1]);
    t.deepEqual(bobs, {
      grant_id: mine[1],
      client_id: service.clientId,
      client_name: 'reporting',
      sub: bob.id,
      scope: 'notes:read',
      resource: API,
      issued_at: bobs.issued_at,
      expires_at: forBob.json.expires_at,
      issued_by: `client:${userAdmin.clientId}`,
    });
    t.true(Date.parse(bobs.issued_at) <= Date.parse(bobs.expires_at));
    // Nothing usable: neither a token nor the digest it is stored under.
    const stored = await database.db('oidc_artifacts').where({ model: 'AccessToken' }).select('id');
    const text = JSON.stringify(json);
    for (const issued of [first, forBob, last]) t.false(text.includes(issued.json.access_token));
    for (const row of stored) t.false(text.includes(row.id));

    // Keyset pages: all of them once, in order, whatever is issued meanwhile.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await adminFetch(api, `/tokens?limit=2${query}`, { token });
      t.is(page.response.status, 200);
      t.true(page.json.items.length <= 2);
      paged.push(...page.json.items.map((item: { grant_id: string }) => item.grant_id));
      if (cursor === null) await issue(await writer.token(), body);
      cursor = page.json.next_cursor;
    } while (cursor);
    t.deepEqual(paged, listed);

    // Revoked or expired: gone from the list.
    await adminFetch(api, `/tokens/${mine[0]}`, { token: await writer.token(), method: 'DELETE' });
    await database
      .db('oidc_artifacts')
      .where({ grant_id: mine[1] })
      .update({ expires_at: database.db.raw(`now() - interval '1 second'`) });
    const after = await adminFetch(api, '/tokens?limit=200', { token });
    const left = after.json.items.map((item: { grant_id: string }) => item.grant_id);
    t.false(left.includes(mine[0]));
    t.false(left.includes(mine[1]));
    t.true(left.includes(mine[2]));
  },
);

test('list refusals: a bad cursor or limit 400 naming it, no token 401, no admin:read 403', async (t) => {
  const token = await writer.token();
  for (const [query, parameter] of [
    ['cursor=nonsense', 'cursor'],
    [`cursor=${Buffer.from('["x","g"]').toString('base64url')}`, 'cursor'],
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
  ] as const) {
    const reply = await adminFetch(api, `/tokens?${query}`, { token });
    t.is(reply.response.status, 400, query);
    t.is(reply.json.type, 'urn:portcullis:problem:invalid-request', query);
    t.is(reply.json.errors?.[0]?.field, parameter, query);
  }
  t.is((await adminFetch(api, '/tokens')).response.status, 401);
  const refused = await adminFetch(api, '/tokens', { token: await userAdmin.token() });
  t.is(refused.response.status, 403);
  t.is(refused.json.error, 'insufficient_scope');
});
