import test from 'ava';
import type { Knex } from 'knex';
import { createGrantsRepository, createUsersRepository, grantPageKey } from '../src/index.ts';
import { byNamePage } from '../src/repositories/name-page.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

// Keyset pages by name (and grants by date) done by PostgreSQL: searched in any case with LIKE's
// own characters taken literally, and read in the order of migration 0025's indexes.

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
  const db = database.db;
  // Enough rows that a sequential scan and a sort would cost more than reading the index.
  await db.raw(
    `insert into users (id, username, password_hash)
     select 'bulk-' || n, 'bulk user ' || n, 'h' from generate_series(1, 3000) as n`,
  );
  await db.raw(
    `insert into oidc_artifacts (model, id, payload)
     select 'Grant', 'bulk-grant-' || n,
       jsonb_build_object('accountId', 'bulk-' || (n % 50), 'clientId', 'bulk-app', 'iat', 1700000000 + n)
     from generate_series(1, 3000) as n`,
  );
  await db.raw('analyze users');
  await db.raw('analyze oidc_artifacts');
});
test.after.always(async () => {
  await database?.drop();
});

const plan = async (sql: { sql: string; bindings: readonly unknown[] }) => {
  const rows = await database.db.raw(`explain ${sql.sql}`, sql.bindings as Knex.RawBinding[]);
  return (rows.rows as Array<{ 'QUERY PLAN': string }>).map((r) => r['QUERY PLAN']).join('\n');
};

test.serial(
  'a page of users by name is read from the index in its order, without a sort',
  async (t) => {
    const first = byNamePage(database.db('users'), 'username', 'id', { limit: 51 }).toSQL();
    const firstPlan = await plan(first);
    t.regex(firstPlan, /Index Scan using users_name_page_idx/);
    t.notRegex(firstPlan, /Sort/);
    const next = byNamePage(database.db('users'), 'username', 'id', {
      after: ['bulk user 2000', 'bulk-2000'],
      limit: 51,
    }).toSQL();
    const nextPlan = await plan(next);
    t.log(nextPlan);
    t.regex(nextPlan, /Index (Only )?Scan using users_name_page_idx/);
    t.regex(nextPlan, /Index Cond/, 'the cursor is a range of the index, not a filter');
    t.notRegex(nextPlan, /Sort/);
  },
);

test.serial(
  'a page of grants, the newest first, is read from the grants index without a sort',
  async (t) => {
    const statements: Array<{ sql: string; bindings: unknown[] }> = [];
    const listen = (query: { sql: string; bindings: unknown[] }) => statements.push(query);
    database.db.on('query', listen);
    await createGrantsRepository(database.db).listPage({ limit: 51, after: ['1700002000', 'x'] });
    database.db.off('query', listen);
    const [statement] = statements;
    if (!statement) return t.fail('no statement');
    const grantsPlan = await plan({
      sql: statement.sql.replace(/\$\d+/g, '?'),
      bindings: statement.bindings,
    });
    t.log(grantsPlan);
    t.regex(grantsPlan, /Index Scan using oidc_artifacts_grant_page_idx/);
    t.notRegex(grantsPlan, /Sort/);
  },
);

test("a search is a substring in any case, and LIKE's % _ \\ match only themselves", async (t) => {
  const users = createUsersRepository(database.db);
  for (const [id, username, name] of [
    ['s1', 'Percent%Sign', null],
    ['s2', 'under_score', null],
    ['s3', 'underXscore', 'Percent Person'],
    ['s4', 'back\\slash', null],
  ] as const) {
    await users.create({ id, username, passwordHash: 'h', ...(name ? { name } : {}) });
  }
  const found = async (contains: string) =>
    (await users.listPage({ contains, limit: 10 })).map((u) => u.username);
  t.deepEqual(await found('%'), ['Percent%Sign']);
  t.deepEqual(await found('r_s'), ['under_score']);
  t.deepEqual(await found('\\'), ['back\\slash']);
  t.deepEqual(await found('PERCENT'), ['Percent%Sign', 'underXscore'], 'username or name');
  t.deepEqual(await found('no such text'), []);
});

test('grants: filtered by user, client and a search, paged newest first without gap or repeat', async (t) => {
  const grants = createGrantsRepository(database.db);
  const users = createUsersRepository(database.db);
  await users.create({ id: 'g-user', username: 'Grace', passwordHash: 'h' });
  const insert = (id: string, iat: number | null, accountId = 'g-user', clientId = 'g-app') =>
    database.db('oidc_artifacts').insert({
      model: 'Grant',
      id,
      payload: JSON.stringify({ accountId, clientId, ...(iat === null ? {} : { iat }) }),
    });
  await insert('g-b', 1800000000);
  await insert('g-a', 1800000000);
  await insert('g-c', 1800000100);
  await insert('g-none', null);
  await insert('g-other', 1800000050, 'g-user', 'other_app');

  const walk = async (query: Parameters<typeof grants.listPage>[0]) => {
    const seen: string[] = [];
    let after: readonly [string, string] | undefined;
    for (let pages = 0; pages < 10; pages += 1) {
      const rows = await grants.listPage({ ...query, limit: 2, ...(after ? { after } : {}) });
      seen.push(...rows.map((r) => r.grantId));
      const last = rows.at(-1);
      if (rows.length < 2 || !last) break;
      after = grantPageKey(last);
    }
    return seen;
  };
  t.deepEqual(await walk({ user: 'g-user', limit: 0 }), ['g-c', 'g-other', 'g-b', 'g-a', 'g-none']);
  t.deepEqual(await walk({ user: 'g-user', client: 'g-app', limit: 0 }), [
    'g-c',
    'g-b',
    'g-a',
    'g-none',
  ]);
  t.deepEqual(await walk({ user: 'grace', limit: 0 }), [], 'a username only with usernames');
  t.is((await walk({ user: 'grace', usernames: true, limit: 0 })).length, 5);
  t.deepEqual(await walk({ contains: 'R_A', limit: 0 }), ['g-other'], '_ is not a wildcard');
  t.deepEqual(await walk({ contains: 'grac', limit: 0 }), [], 'usernames are not searched');
  const byName = await grants.listPage({ contains: 'GRAC', usernames: true, limit: 10 });
  t.deepEqual(
    byName.map((r) => [r.grantId, r.username]),
    [
      ['g-c', 'Grace'],
      ['g-other', 'Grace'],
      ['g-b', 'Grace'],
      ['g-a', 'Grace'],
      ['g-none', 'Grace'],
    ],
  );
});
