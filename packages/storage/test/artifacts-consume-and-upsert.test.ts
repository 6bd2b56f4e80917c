import test from 'ava';
import { createArtifactsRepository, isDatabaseUnavailable } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const repo = () => createArtifactsRepository(database.db);
const next = (id: string) => ({
  model: 'RefreshToken',
  id,
  payload: { grantId: 'g1' },
  expiresInSeconds: 60,
});

test.serial('consumes and writes together; a second caller loses and writes nothing', async (t) => {
  await repo().upsert('RefreshToken', 'rt-1', { grantId: 'g1' }, 60);
  t.true(await repo().consumeAndUpsert([{ model: 'RefreshToken', id: 'rt-1' }], [next('rt-2')]));
  t.is(typeof (await repo().find('RefreshToken', 'rt-1'))?.consumedAt, 'number');
  t.deepEqual((await repo().find('RefreshToken', 'rt-2'))?.payload, { grantId: 'g1' });

  t.false(await repo().consumeAndUpsert([{ model: 'RefreshToken', id: 'rt-1' }], [next('rt-3')]));
  t.is(await repo().find('RefreshToken', 'rt-3'), undefined);
});

test.serial('of 20 racing callers exactly one wins', async (t) => {
  await repo().upsert('AuthorizationCode', 'code-race', { grantId: 'g2' }, 60);
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      repo().consumeAndUpsert([{ model: 'AuthorizationCode', id: 'code-race' }], [next(`r-${i}`)]),
    ),
  );
  t.is(results.filter(Boolean).length, 1);
  const written = await database.db('oidc_artifacts').where('id', 'like', 'r-%').count('* as n');
  t.is(Number(written[0]?.n), 1, "only the winner's write");
});

test.serial('an expired or unknown artifact cannot be consumed', async (t) => {
  t.false(await repo().consumeAndUpsert([{ model: 'RefreshToken', id: 'nope' }], [next('x-1')]));
  await repo().upsert('RefreshToken', 'old', {}, 60);
  await database
    .db('oidc_artifacts')
    .where({ model: 'RefreshToken', id: 'old' })
    .update({ expires_at: database.db.raw(`now() - interval '1 second'`) });
  t.false(await repo().consumeAndUpsert([{ model: 'RefreshToken', id: 'old' }], [next('x-2')]));
  t.is(await repo().find('RefreshToken', 'x-2'), undefined);
});

test.serial(
  'a write that fails undoes the consumption, and the error says the database is gone',
  async (t) => {
    await repo().upsert('RefreshToken', 'rt-kept', { grantId: 'g3' }, 60);
    await database.db.raw(`
    CREATE FUNCTION fail_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = '08006'; END $$;
    CREATE TRIGGER fail_insert BEFORE INSERT ON oidc_artifacts
      FOR EACH ROW EXECUTE FUNCTION fail_insert()`);
    const error = await t.throwsAsync(
      repo().consumeAndUpsert([{ model: 'RefreshToken', id: 'rt-kept' }], [next('rt-new')]),
    );
    await database.db.raw(
      'DROP TRIGGER fail_insert ON oidc_artifacts; DROP FUNCTION fail_insert()',
    );
    t.true(isDatabaseUnavailable(error));
    t.is((await repo().find('RefreshToken', 'rt-kept'))?.consumedAt, undefined, 'not consumed');
    t.is(await repo().find('RefreshToken', 'rt-new'), undefined);
  },
);

test('isDatabaseUnavailable: connection failures by code, by message and wrapped; not query errors', (t) => {
  for (const error of [
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    Object.assign(new Error('terminating connection'), { code: '57P01' }),
    Object.assign(new Error('sorry, too many clients already'), { code: '53300' }),
    new Error('Connection terminated unexpectedly'),
    new Error('ROLLBACK - Client has encountered a connection error and is not queryable'),
    new Error('Knex: Timeout acquiring a connection. The pool is probably full.'),
    new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }),
  ]) {
    t.true(isDatabaseUnavailable(error), error.message);
  }
  for (const error of [
    Object.assign(new Error('duplicate key'), { code: '23505' }),
    new Error('relation "nope" does not exist'),
    undefined,
    'ECONNREFUSED',
  ]) {
    t.false(isDatabaseUnavailable(error), String(error));
  }
});
