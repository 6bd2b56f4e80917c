import { migrationNames } from '@portcullis/storage';
import { createTestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { cli, cliJson } from './helpers.ts';

test('status reports pending migrations with exit 1; migrate applies them; then all is current', async (t) => {
  const database = await createTestDatabase({ migrate: false });
  t.teardown(() => database.drop());
  const before = await cli(database, ['db', 'status']);
  t.is(before.code, 1);
  t.regex(before.stdout, /pending +0001-initial/);
  t.regex(before.stdout, /pending +0002-users/);
  t.regex(before.stderr, /portcullis db migrate/);

  const refused = await cli(database, ['clients', 'list']);
  t.is(refused.code, 1, 'commands refuse a schema with pending migrations');
  t.regex(refused.stderr, /pending migration/);

  t.deepEqual(await cliJson(database, ['db', 'migrate']), { applied: [...migrationNames] });
  t.deepEqual(migrationNames.slice(0, 4), [
    '0001-initial',
    '0002-users',
    '0003-client-presentation',
    '0004-audit-events',
  ]);
  t.deepEqual(await cliJson(database, ['db', 'migrate']), { applied: [] });
  t.deepEqual(await cliJson(database, ['db', 'status']), {
    applied: [...migrationNames],
    pending: [],
  });
});

test('an unreachable database is one clear line and exit 1', async (t) => {
  const result = await cli({ url: 'postgres://postgres@127.0.0.1:1/none' } as never, [
    'clients',
    'list',
  ]);
  t.is(result.code, 1);
  t.regex(result.stderr, /^portcullis: cannot reach the database/);
  t.is(result.stderr.trim().split('\n').length, 1);
});

test('an unknown command is a usage error', async (t) => {
  const database = { url: 'postgres://unused' } as never;
  const result = await cli(database, ['clients', 'frobnicate']);
  t.is(result.code, 2);
  t.regex(result.stderr, /unknown command/);
});
