import { migrationNames } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { cli, cliJson, failsWithOneLine, showsHelpWithExample } from './helpers.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase({ migrate: false });
});
test.after.always(async () => {
  await database?.drop();
});

test.serial('commands refuse a schema with pending migrations', async (t) => {
  failsWithOneLine(t, await cli(database, ['clients', 'list']), /pending migration/);
});

test.serial('migrate applies every migration in order, then has nothing to do', async (t) => {
  t.deepEqual(await cliJson(database, ['db', 'migrate']), { applied: [...migrationNames] });
  t.deepEqual(migrationNames.slice(0, 4), [
    '0001-initial',
    '0002-users',
    '0003-client-presentation',
    '0004-audit-events',
  ]);
  t.deepEqual(await cliJson(database, ['db', 'migrate']), { applied: [] });
  const human = await cli(database, ['db', 'migrate']);
  t.is(human.code, 0, human.stderr);
  t.is(human.stdout, 'the schema is up to date\n');
  const listed = await cli(database, ['clients', 'list']);
  t.is(listed.code, 0, 'commands work once the schema is current');
});

test.serial('human output names each migration it applies', async (t) => {
  const fresh = await createTestDatabase({ migrate: false });
  t.teardown(() => fresh.drop());
  const result = await cli(fresh, ['db', 'migrate']);
  t.is(result.code, 0, result.stderr);
  t.is(result.stdout, migrationNames.map((name) => `applied ${name}\n`).join(''));
});

test('usage errors: an argument, an unknown option; exit 2', async (t) => {
  failsWithOneLine(t, await cli(database, ['db', 'migrate', 'down']), /too many arguments/, 2);
  failsWithOneLine(
    t,
    await cli(database, ['db', 'migrate', '--to', '0002']),
    /unknown option '--to'/,
    2,
  );
});

test('an unreachable database: one line, exit 1', async (t) => {
  failsWithOneLine(
    t,
    await cli({ url: 'postgres://postgres@127.0.0.1:1/none' } as TestDatabase, ['db', 'migrate']),
    /^portcullis: cannot reach the database/,
  );
});

test('--help has an example', async (t) => {
  await showsHelpWithExample(t, database, ['db', 'migrate']);
});
