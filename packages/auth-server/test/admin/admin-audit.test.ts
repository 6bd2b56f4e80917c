import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { adminClient, adminFetch, startAdminServer } from './admin-fixtures.ts';

let database: TestDatabase;
let api: string;
let url: string;
let close: () => Promise<void>;
let writer: Awaited<ReturnType<typeof adminClient>>;
let reader: Awaited<ReturnType<typeof adminClient>>;

test.before(async () => {
  database = await createTestDatabase();
  const started = await startAdminServer(database);
  ({ api, url } = started);
  close = () => started.server.close();
  writer = await adminClient(database, started.url, ['admin:read', 'admin:write']);
  reader = await adminClient(database, started.url, ['admin:read']);
});
test.after.always(async () => {
  await close?.();
  await database?.drop();
});

interface Event {
  id: string;
  type: string;
  actor: string;
  client_id: string | null;
}

test('the trail, oldest first, paged by an opaque cursor and filtered by type, client and time', async (t) => {
  const token = await writer.token();
  const made: string[] = [];
  for (const name of ['audited-1', 'audited-2', 'audited-3']) {
    const reply = await adminFetch(api, '/clients', {
      token,
      method: 'POST',
      body: { name, grant_types: ['client_credentials'] },
    });
    made.push(reply.json.client.client_id);
  }
  const read = await reader.token();
  const walked: Event[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await adminFetch(api, `/audit?limit=2${query}`, { token: read });
    t.is(page.response.status, 200);
    t.true(page.json.items.length <= 2);
    walked.push(...page.json.items);
    cursor = page.json.next_cursor;
    pages += 1;
  } while (cursor && pages < 100);
  const ids = walked.map((e) => BigInt(e.id));
  t.deepEqual(
    ids,
    [...ids].sort((a, b) => (a < b ? -1 : 1)),
    'oldest first',
  );
  t.is(new Set(ids).size, ids.length, 'no event twice');
  const mine = walked.filter(
    (e) => e.type === 'client.created' && e.actor === `client:${writer.clientId}`,
  );
  t.deepEqual(
    mine.map((e) => e.client_id),
    made,
  );

  const created = await adminFetch(api, '/audit?type=client.created&limit=200', { token: read });
  t.true(created.json.items.every((e: Event) => e.type === 'client.created'));
  t.is(created.json.next_cursor, null);
  const one = await adminFetch(api, `/audit?client=${made[1]}`, { token: read });
  t.true(one.json.items.length > 0);
  t.true(one.json.items.every((e: Event) => e.client_id === made[1]));
  const future = await adminFetch(api, '/audit?since=2999-01-01T00:00:00Z', { token: read });
  t.deepEqual(future.json, { items: [], next_cursor: null });
});

// Serial: it compares pages with the whole trail, so no other test may add events meanwhile; its
// clients are made by an admin client of its own, so the others' filters do not see them.
test.serial(
  'the latest first (order=newest), paged back; and following the trail after an event',
  async (t) => {
    const token = await (await adminClient(database, url, ['admin:write'])).token();
    for (const name of ['latest-1', 'latest-2', 'latest-3']) {
      await adminFetch(api, '/clients', {
        token,
        method: 'POST',
        body: { name, grant_types: ['client_credentials'] },
      });
    }
    const read = await reader.token();
    const all = await database.db('audit_events').orderBy('id', 'desc').pluck('id');
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await adminFetch(api, `/audit?order=newest&limit=2${query}`, { token: read });
      t.is(page.response.status, 200);
      walked.push(...page.json.items.map((e: Event) => e.id));
      cursor = page.json.next_cursor;
    } while (cursor && walked.length < 1000);
    t.deepEqual(walked, all.map(String), 'every event once, the latest first');
    const latest = await adminFetch(api, '/audit?order=newest&limit=1&type=client.created', {
      token: read,
    });
    t.is(latest.json.items[0].client_id, await clientIdOf('latest-3'));

    // After an event: only the later ones, oldest first, paged with the same cursor.
    const from = all[2] as string;
    const after: string[] = [];
    cursor = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await adminFetch(api, `/audit?after=${from}&limit=1${query}`, { token: read });
      after.push(...page.json.items.map((e: Event) => e.id));
      cursor = page.json.next_cursor;
    } while (cursor && after.length < 10);
    t.deepEqual(after, all.slice(0, 2).map(String).reverse());
    const nothing = await adminFetch(api, `/audit?after=${all[0]}`, { token: read });
    t.deepEqual(nothing.json, { items: [], next_cursor: null });
  },
);

const clientIdOf = async (name: string) =>
  (await database.db('clients').where({ name }).first('id')).id as string;

test('bad filters and cursors are 400 problems naming the parameter; no token, no trail', async (t) => {
  const read = await reader.token();
  for (const query of [
    'type=client.eaten',
    'since=yesterday',
    'limit=0',
    'cursor=WyJ4Il0',
    'who=me',
    'after=x1',
    'order=random',
    'after=1&order=newest',
  ]) {
    const reply = await adminFetch(api, `/audit?${query}`, { token: read });
    t.is(reply.response.status, 400, query);
    t.is(reply.json.errors[0].parameter, query.split('=')[0], query);
  }
  t.is((await adminFetch(api, '/audit')).response.status, 401);
});
