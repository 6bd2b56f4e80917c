import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { createResourcesService, createUsersService } from '../../src/index.ts';
import { adminClient, adminFetch, startAdminServer } from './admin-fixtures.ts';

// Clients, resources and users are paged by PostgreSQL (keyset on the name, then the id, with a
// LIMIT): a page reads a page, and rows added between pages are neither skipped nor repeated.

let database: TestDatabase;
let api: string;
let close: () => Promise<void>;
let token: string;
const statements: string[] = [];

test.before(async () => {
  database = await createTestDatabase();
  const started = await startAdminServer(database);
  ({ api } = started);
  close = () => started.server.close();
  token = await (
    await adminClient(database, started.url, ['admin:read', 'admin:write', 'admin:users'])
  ).token();
  const resources = createResourcesService(database.db);
  let resourcesMade = 0;
  for (const name of ['Zeta', 'alpha', 'Émile', 'beta', 'Gamma']) {
    await resources.create({
      identifier: `https://${name.normalize('NFD').replace(/[^\w]/g, '').toLowerCase()}.example.test`,
      name,
      scopes: [{ name: `r${resourcesMade++}:read`, description: 'Read' }],
    });
  }
  const users = createUsersService(database.db);
  for (const username of ['walt', 'Anna', 'bert', 'carl']) {
    await users.create({ username, password: 'a long enough password' });
  }
  // The SQL the server's list operations run on the shared pool.
  database.db.on('query', (query: { sql: string }) => statements.push(query.sql));
});
test.after.always(async () => {
  await close?.();
  await database?.drop();
});

// Every page of `path` with `limit`, calling `between` after the first page.
async function walk(path: string, key: string, between: () => Promise<void> = async () => {}) {
  const walked: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await adminFetch(api, `${path}?limit=2${query}`, { token });
    if (page.response.status !== 200) throw new Error(JSON.stringify(page.json));
    walked.push(...page.json.items.map((item: Record<string, string>) => item[key]));
    cursor = page.json.next_cursor;
    if (pages === 0) await between();
    pages += 1;
  } while (cursor && pages < 50);
  return walked;
}

test.serial(
  'resources by name, case-insensitively, with their scopes; read a page at a time',
  async (t) => {
    statements.length = 0;
    const names = await walk('/resources', 'name');
    // The admin API's own resource is one of them; "É" sorts after every ASCII letter (byte order).
    t.deepEqual(names, ['alpha', 'beta', 'Gamma', 'Portcullis admin API', 'Zeta', 'Émile']);
    const lists = statements.filter((sql) => /from "resources"/.test(sql) && /order by/i.test(sql));
    t.true(lists.length > 0);
    t.true(
      lists.every((sql) => / limit \$\d+$/i.test(sql)),
      'each page is read with a LIMIT',
    );
    const page = await adminFetch(api, '/resources?limit=1', { token });
    t.is(page.json.items[0].scopes.length, 1);
  },
);

test.serial(
  'users added between pages: one before the cursor is not repeated, one after is seen',
  async (t) => {
    const users = createUsersService(database.db);
    const names = await walk('/users', 'username', async () => {
      await users.create({ username: 'aaron', password: 'a long enough password' });
      await users.create({ username: 'zoe', password: 'a long enough password' });
    });
    t.deepEqual(names, ['Anna', 'bert', 'carl', 'walt', 'zoe']);
  },
);

test('a cursor that is not one the API gave is a 400 naming the parameter', async (t) => {
  for (const cursor of [
    'x',
    Buffer.from('["only-one"]').toString('base64url'),
    Buffer.from('[1,2]').toString('base64url'),
  ]) {
    for (const path of ['/clients', '/resources', '/users']) {
      const reply = await adminFetch(api, `${path}?cursor=${cursor}`, { token });
      t.is(reply.response.status, 400, `${path} ${cursor}`);
      t.like(reply.json.errors?.[0], { field: 'cursor', parameter: 'cursor' });
    }
  }
});
