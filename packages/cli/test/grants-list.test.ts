import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { createUser, storeGrant } from './grants-fixtures.ts';
import {
  API,
  cli,
  cliJson,
  createExampleResource,
  failsWithOneLine,
  showsHelpWithExample,
} from './helpers.ts';

let database: TestDatabase;
let alice: string;
let reporting: string;
test.before(async () => {
  database = await createTestDatabase();
  await createExampleResource(database);
  alice = await createUser(database, 'alice');
  ({ client_id: reporting } = await cliJson<{ client_id: string }>(database, [
    'clients',
    'create',
    '--name',
    'Reporting',
    '--grant',
    'authorization_code',
    '--redirect-uri',
    'https://reporting.example.com/cb',
    '--resource',
    API,
    '--scope',
    'openid notes:read',
  ]));
});
test.after.always(async () => {
  await database?.drop();
});

interface GrantJson {
  grant_id: string;
  client_id: string;
  client_name: string;
  scope: string;
  resources: Record<string, string>;
  granted_at: string | null;
  expires_at: string | null;
}

test.serial('a user without grants: an empty list', async (t) => {
  const table = await cli(database, ['grants', 'list', '--user', 'alice']);
  t.is(table.code, 0, table.stderr);
  t.is(table.stdout, '(none)\n');
  t.deepEqual(await cliJson(database, ['grants', 'list', '--user', 'alice']), []);
});

test.serial("list shows the user's live grants, newest first, with the app's name", async (t) => {
  const bob = await createUser(database, 'bob');
  const now = Math.floor(Date.now() / 1000);
  await storeGrant(database, {
    grantId: 'grant-old',
    accountId: alice,
    clientId: reporting,
    iat: now - 3600,
  });
  await storeGrant(database, {
    grantId: 'grant-new',
    accountId: alice,
    clientId: reporting,
    openid: 'openid profile',
    resources: { [API]: 'notes:read' },
    iat: now,
  });
  await storeGrant(database, { grantId: 'grant-of-bob', accountId: bob, clientId: reporting });
  await storeGrant(database, {
    grantId: 'grant-expired',
    accountId: alice,
    clientId: reporting,
    expiresIn: -1,
  });
  await storeGrant(database, {
    grantId: 'grant-gone-app',
    accountId: alice,
    clientId: 'gone',
    iat: now - 60,
  });

  const list = await cliJson<GrantJson[]>(database, ['grants', 'list', '--user', alice]);
  t.deepEqual(
    list.map((g) => g.grant_id),
    ['grant-new', 'grant-gone-app', 'grant-old'],
    "newest first; neither bob's nor an expired grant",
  );
  const newest = list[0] as GrantJson;
  t.like(newest, {
    client_id: reporting,
    client_name: 'Reporting',
    scope: 'openid profile notes:read',
    resources: { [API]: 'notes:read' },
    granted_at: new Date(now * 1000).toISOString(),
  });
  t.true(Date.parse(newest.expires_at ?? '') > Date.now());
  t.is(list[1]?.client_name, 'gone', "a deleted app's grant shows its id");

  const table = await cli(database, ['grants', 'list', '--user', 'ALICE']);
  t.is(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  t.regex(lines[0] ?? '', /^APP +GRANT ID +SCOPES +GRANTED +EXPIRES$/);
  t.regex(
    lines[2] ?? '',
    /^Reporting +grant-new +openid profile notes:read +\d{4}-\S+Z +\d{4}-\S+Z$/,
  );
  t.is(lines.length, 5);
});

test('an unknown user: one line, exit 1', async (t) => {
  failsWithOneLine(
    t,
    await cli(database, ['grants', 'list', '--user', 'nobody']),
    /^portcullis: no user with id or username "nobody"\n$/,
  );
});

test('usage errors: no --user, an argument, an unknown option; exit 2', async (t) => {
  failsWithOneLine(
    t,
    await cli(database, ['grants', 'list']),
    /required option '--user <user>' not specified/,
    2,
  );
  failsWithOneLine(
    t,
    await cli(database, ['grants', 'list', 'alice', '--user', 'alice']),
    /too many arguments/,
    2,
  );
  failsWithOneLine(
    t,
    await cli(database, ['grants', 'list', '--user', 'alice', '--client', 'x']),
    /unknown option '--client'/,
    2,
  );
});

test('--help has an example', async (t) => {
  await showsHelpWithExample(t, database, ['grants', 'list']);
});
