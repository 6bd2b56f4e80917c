import { createArtifactsRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import {
  createClientsService,
  createResourcesService,
  createUsersService,
} from '../../src/index.ts';
import { API, seedResource } from '../helpers.ts';
import { adminClient, adminFetch, startAdminServer } from './admin-fixtures.ts';

// Searching the admin API's lists (`q`, done by PostgreSQL) and listing grants a page at a time,
// across users (GET /grants) or of one, over HTTP with real tokens.

let database: TestDatabase;
let api: string;
let close: () => Promise<void>;
let all: string;
let reader: string;
const clientIds: Record<string, string> = {};
const userIds: Record<string, string> = {};

test.before(async () => {
  database = await createTestDatabase();
  await seedResource(database);
  const started = await startAdminServer(database);
  ({ api } = started);
  close = () => started.server.close();
  all = await (
    await adminClient(database, started.url, ['admin:read', 'admin:write', 'admin:users'])
  ).token();
  reader = await (await adminClient(database, started.url, ['admin:read'])).token();
  const clients = createClientsService(database.db);
  for (const name of ['Billing 50% off', 'Billing_east', 'billingXeast', 'Shop']) {
    const { client } = await clients.create({ name, grants: ['client_credentials'] });
    clientIds[name] = client.id;
  }
  const resources = createResourcesService(database.db);
  await resources.create({
    identifier: 'https://ledger.example.test',
    name: 'Ledger',
    scopes: [{ name: 'ledger:read', description: 'Read' }],
  });
  const users = createUsersService(database.db);
  for (const [username, name, email] of [
    ['dora', 'Dora Explorer', 'dora@example.test'],
    ['edgar', null, 'poe_fan@example.test'],
    ['frida', 'Frida K.', null],
  ] as const) {
    const user = await users.create({
      username,
      password: 'a long enough password',
      ...(name ? { name } : {}),
      ...(email ? { email } : {}),
    });
    userIds[username] = user.id;
  }
  // Grants as oidc-provider stores them, a second apart (dora's newest last).
  const artifacts = createArtifactsRepository(database.db);
  let iat = 1_800_000_000;
  for (const [id, user, client] of [
    ['grant-1', 'dora', 'Billing 50% off'],
    ['grant-2', 'edgar', 'Shop'],
    ['grant-3', 'dora', 'Shop'],
    ['grant-4', 'frida', 'Billing_east'],
    ['grant-5', 'dora', 'billingXeast'],
  ] as const) {
    iat += 1;
    await artifacts.upsert(
      'Grant',
      id,
      {
        kind: 'Grant',
        jti: id,
        accountId: userIds[user],
        clientId: clientIds[client],
        openid: { scope: 'openid' },
        resources: { [API]: 'notes:read' },
        iat,
      },
      3600,
    );
  }
});
test.after.always(async () => {
  await close?.();
  await database?.drop();
});

const page = async (path: string, token = all) => {
  const reply = await adminFetch(api, path, { token });
  if (reply.response.status !== 200) throw new Error(JSON.stringify(reply.json));
  return reply.json as { items: Array<Record<string, string>>; next_cursor: string | null };
};
const names = async (path: string, key: string, token = all) =>
  (await page(path, token)).items.map((item) => item[key]);

// Every page of `path` (which has a query) two at a time, calling `between` after the first.
async function walk(path: string, key: string, between: () => Promise<void> = async () => {}) {
  const walked: unknown[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const { items, next_cursor: next } = await page(`${path}&limit=2${query}`);
    walked.push(...items.map((item) => item[key]));
    cursor = next;
    if (pages === 0) await between();
    pages += 1;
  } while (cursor && pages < 20);
  return walked;
}

test('clients: q finds a substring of the name or id in any case; % and _ match only themselves', async (t) => {
  t.deepEqual(await names('/clients?q=BILLING', 'name'), [
    'Billing 50% off',
    'Billing_east',
    'billingXeast',
  ]);
  t.deepEqual(await names('/clients?q=%25', 'name'), ['Billing 50% off']);
  t.deepEqual(await names('/clients?q=g_e', 'name'), ['Billing_east']);
  t.deepEqual(await names('/clients?q=no%20such%20app', 'name'), []);
  const shop = clientIds.Shop ?? '';
  t.deepEqual(await names(`/clients?q=${shop.slice(2, 12).toUpperCase()}`, 'name'), ['Shop']);
});

test('resources: q finds the name or the identifier', async (t) => {
  t.deepEqual(await names('/resources?q=ledg', 'name'), ['Ledger']);
  t.deepEqual(await names('/resources?q=API.EXAMPLE', 'name'), ['Test API']);
  t.deepEqual(await names('/resources?q=_', 'name'), []);
});

test('users: q finds the username, the name or the email; admin:read alone is refused', async (t) => {
  t.deepEqual(await names('/users?q=explorer', 'username'), ['dora']);
  t.deepEqual(await names('/users?q=POE_', 'username'), ['edgar']);
  t.deepEqual(await names('/users?q=d', 'username'), ['dora', 'edgar', 'frida']);
  t.deepEqual(await names('/users?q=zzz', 'username'), []);
  t.is((await adminFetch(api, '/users?q=dora', { token: reader })).response.status, 403);
});

test('a search is paged like the list: a cursor given with q continues it, no gap or repeat', async (t) => {
  const clients = createClientsService(database.db);
  const create = (name: string) => clients.create({ name, grants: ['client_credentials'] });
  for (const name of ['Paged b', 'Paged_c', 'paged d', 'Paged e']) await create(name);
  const found = await walk('/clients?q=PAGED', 'name', async () => {
    // After the first page: one before its cursor (not shown), one after (shown once).
    await create('Paged a');
    await create('Paged z');
  });
  t.deepEqual(found, ['Paged b', 'paged d', 'Paged e', 'Paged z', 'Paged_c']);
});

test('a bad q, an unknown filter or a bad grants cursor is a 400 problem naming the parameter', async (t) => {
  for (const [path, parameter] of [
    [`/clients?q=${'x'.repeat(201)}`, 'q'],
    ['/resources?q=', 'q'],
    ['/users?q=a&q=b', 'q'],
    ['/clients?name=x', 'name'],
    ['/grants?owner=dora', 'owner'],
    [
      `/grants?cursor=${Buffer.from('["2026-01-01T00:00:00.000Z","x"]').toString('base64url')}`,
      'cursor',
    ],
    [`/users/dora/grants?cursor=${Buffer.from('["x"]').toString('base64url')}`, 'cursor'],
  ] as const) {
    const reply = await adminFetch(api, path, { token: all });
    t.is(reply.response.status, 400, path);
    t.is(reply.response.headers.get('content-type'), 'application/problem+json', path);
    t.is(reply.json.errors?.[0]?.parameter, parameter, path);
  }
});

test("grants across users with admin:read: the newest first, the user's id, never their username", async (t) => {
  const reply = await adminFetch(api, '/grants?limit=5', { token: reader });
  t.is(reply.response.status, 200);
  t.deepEqual(
    reply.json.items.map((g: { grant_id: string }) => g.grant_id),
    ['grant-5', 'grant-4', 'grant-3', 'grant-2', 'grant-1'],
  );
  t.like(reply.json.items[0], {
    client_name: 'billingXeast',
    user_id: userIds.dora,
    scope: 'openid notes:read',
  });
  t.false('username' in reply.json.items[0]);
  t.deepEqual(await names('/grants?q=dora', 'grant_id', reader), [], 'usernames not searched');
  t.deepEqual(await names('/grants?user=dora', 'grant_id', reader), [], 'nor taken as user');
  t.deepEqual(await names(`/grants?user=${userIds.dora}`, 'grant_id', reader), [
    'grant-5',
    'grant-3',
    'grant-1',
  ]);
  t.deepEqual(await names('/grants?q=BILLING_', 'grant_id', reader), ['grant-4']);
  t.deepEqual(await names(`/grants?client=${clientIds.Shop}`, 'grant_id', reader), [
    'grant-3',
    'grant-2',
  ]);
});

test('grants with admin:users too: the username shown, searched and taken as user', async (t) => {
  const reply = await adminFetch(api, '/grants?q=FRID', { token: all });
  t.deepEqual(
    reply.json.items.map((g: { grant_id: string; username: string }) => [g.grant_id, g.username]),
    [['grant-4', 'frida']],
  );
  t.deepEqual(await names(`/grants?user=DORA&client=${clientIds.Shop}`, 'grant_id'), ['grant-3']);
});

test("grants are paged without gap or repeat, across users and a user's own", async (t) => {
  // A user and an app of this test's own, grants older than the others': the other tests'
  // lists stay as they expect.
  const { client: gusApp } = await createClientsService(database.db).create({
    name: 'Gus app',
    grants: ['client_credentials'],
  });
  const gus = await createUsersService(database.db).create({
    username: 'gus',
    password: 'a long enough password',
  });
  const store = async (grants: ReadonlyArray<readonly [string, number]>) => {
    for (const [id, iat] of grants) {
      await createArtifactsRepository(database.db).upsert(
        'Grant',
        id,
        { kind: 'Grant', jti: id, accountId: gus.id, clientId: gusApp.id, iat },
        3600,
      );
    }
  };
  await store([
    ['gus-1', 1_700_000_001],
    ['gus-2', 1_700_000_002],
    ['gus-3', 1_700_000_003],
  ]);
  // After the first page: one newer (not shown: it sorts before its cursor), one older.
  const added = () =>
    store([
      ['grant-new', 1_700_000_100],
      ['grant-old', 1_600_000_000],
    ]);
  t.deepEqual(await walk(`/grants?user=${gus.id}`, 'grant_id', added), [
    'gus-3',
    'gus-2',
    'gus-1',
    'grant-old',
  ]);
  t.deepEqual(await walk('/users/gus/grants?', 'grant_id'), [
    'grant-new',
    'gus-3',
    'gus-2',
    'gus-1',
    'grant-old',
  ]);
});
