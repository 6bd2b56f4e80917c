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

test.serial('status lists pending migrations and exits 1, naming the command to run', async (t) => {
  const before = await cli(database, ['db', 'status']);
  t.is(before.code, 1);
  t.regex(before.stdout, /^pending +0001-initial$/m);
  t.regex(before.stdout, /^pending +0002-users$/m);
  t.notRegex(before.stdout, /up to date/);
  t.is(
    before.stderr,
    `portcullis: ${migrationNames.length} pending migration(s): run \`portcullis db migrate\`\n`,
  );

  const json = await cli(database, ['db', 'status', '--json']);
  t.is(json.code, 1, 'the exit code says the same with --json');
  t.deepEqual(JSON.parse(json.stdout), { applied: [], pending: [...migrationNames] });
  t.is(await database.db.schema.hasTable('clients'), false, 'status changes nothing');
});

test.serial('once migrated, status says the schema is up to date and exits 0', async (t) => {
  await cliJson(database, ['db', 'migrate']);
  t.deepEqual(await cliJson(database, ['db', 'status']), {
    applied: [...migrationNames],
    pending: [],
  });
  const human = await cli(database, ['db', 'status']);
  t.is(human.code, 0, human.stderr);
  t.regex(human.stdout, /^applied +0001-initial\n/);
  t.regex(human.stdout, /\nthe schema is up to date\n$/);
  t.is(human.stderr, '');
});

test('usage errors: an argument, an unknown option; exit 2', async (t) => {
  failsWithOneLine(t, await cli(database, ['db', 'status', 'now']), /too many arguments/, 2);
  failsWithOneLine(
    t,
    await cli(database, ['db', 'status', '--verbose']),
    /unknown option '--verbose'/,
    2,
  );
});

test('an unreachable database: one line, exit 1', async (t) => {
  failsWithOneLine(
    t,
    await cli({ url: 'postgres://postgres@127.0.0.1:1/none' } as TestDatabase, ['db', 'status']),
    /^portcullis: cannot reach the database \(ECONNREFUSED\): check DATABASE_URL\n$/,
  );
});

test('--help has an example and explains the exit codes', async (t) => {
  const help = await showsHelpWithExample(t, database, ['db', 'status']);
  t.regex(help, /Exit codes: 0 the schema is up to date, 1 migrations are pending/);
});
