import test from 'ava';
import {
  assertSchemaCurrent,
  migrateLatest,
  migrationNames,
  migrationStatus,
  type PendingMigrationsError,
} from '../src/index.ts';
import { createTestDatabase } from '../src/testing/index.ts';

test('a new database reports every migration pending and refuses to be used', async (t) => {
  const database = await createTestDatabase({ migrate: false });
  t.teardown(() => database.drop());
  const status = await migrationStatus(database.db);
  t.deepEqual(status.applied, []);
  t.true(status.pending.includes('0001-initial'));
  t.true(status.pending.includes('0002-users'));
  const error = await t.throwsAsync(assertSchemaCurrent(database.db));
  t.is((error as PendingMigrationsError).code, 'pending_migrations');
  t.regex(error?.message ?? '', /portcullis db migrate/);
});

test('migrate applies everything once, then nothing', async (t) => {
  const database = await createTestDatabase({ migrate: false });
  t.teardown(() => database.drop());
  t.deepEqual((await migrateLatest(database.db)).slice(0, 4), [
    '0001-initial',
    '0002-users',
    '0003-client-presentation',
    '0004-audit-events',
  ]);
  t.deepEqual(await migrateLatest(database.db), []);
  const status = await migrationStatus(database.db);
  t.deepEqual(status.pending, []);
  t.deepEqual(status.applied, [...migrationNames]);
  await t.notThrowsAsync(assertSchemaCurrent(database.db));
  const tables = await database.db('pg_tables').where({ schemaname: 'public' }).pluck('tablename');
  for (const table of [
    'clients',
    'client_secrets',
    'resources',
    'resource_scopes',
    'signing_keys',
    'oidc_artifacts',
    'users',
  ]) {
    t.true(tables.includes(table), table);
  }
});
