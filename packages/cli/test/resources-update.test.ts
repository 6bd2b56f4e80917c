import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { cli, cliJson } from './helpers.ts';

let database: TestDatabase;
let rsClient: string;
let publicClient: string;
const R = 'https://update.example';
test.before(async () => {
  database = await createTestDatabase();
  await cliJson(database, [
    'resources',
    'create',
    '--identifier',
    R,
    '--name',
    'Update me',
    '--scope',
    'a=Scope A',
    '--scope',
    'b=Scope B',
  ]);
  ({ client_id: rsClient } = await cliJson<{ client_id: string }>(database, [
    'clients',
    'create',
    '--name',
    'update-api',
    '--grant',
    'client_credentials',
  ]));
  ({ client_id: publicClient } = await cliJson<{ client_id: string }>(database, [
    'clients',
    'create',
    '--name',
    'native',
    '--grant',
    'authorization_code',
    '--redirect-uri',
    'http://127.0.0.1/cb',
    '--public',
  ]));
});
test.after.always(async () => {
  await database?.drop();
});

const show = () => cliJson(database, ['resources', 'show', R]);
const auditTypes = async () =>
  (await database.db('audit_events').orderBy('id').pluck('type')) as string[];

test.serial('every setting changes, and only what was given', async (t) => {
  const updated = await cliJson(database, [
    'resources',
    'update',
    R,
    '--name',
    'Updated',
    '--access-token-ttl',
    '15m',
    '--format',
    'opaque',
    '--introspection-client',
    rsClient,
    '--scope',
    'a=Scope A, described again',
    '--scope',
    'c=Scope C',
    '--remove-scope',
    'b',
  ]);
  t.like(updated, {
    name: 'Updated',
    access_token_ttl: 900,
    access_token_format: 'opaque',
    introspection_clients: [rsClient],
  });
  t.deepEqual(updated.scopes, [
    { name: 'a', description: 'Scope A, described again' },
    { name: 'c', description: 'Scope C' },
  ]);
  t.deepEqual(updated.changed, [
    'name',
    'access_token_ttl',
    'access_token_format',
    'introspection_clients',
    'scope a',
    'scope c',
    'scope b (removed)',
  ]);

  const once = await cliJson(database, ['resources', 'update', R, '--access-token-ttl', '1h']);
  t.like(once, { name: 'Updated', access_token_ttl: 3600, access_token_format: 'opaque' });
  t.deepEqual(once.changed, ['access_token_ttl']);
});

test.serial('each change is an audit event naming what changed, with the CLI actor', async (t) => {
  const before = (await auditTypes()).length;
  await cliJson(database, ['resources', 'update', R, '--format', 'jwt']);
  const rows = await database.db('audit_events').orderBy('id').offset(before);
  t.is(rows.length, 1);
  t.like(rows[0], {
    type: 'resource.updated',
    details: { resource: R, changed: ['access_token_format'] },
  });
  t.regex(rows[0].actor, /^cli:/);
});

test.serial('an update to the same values changes nothing and records nothing', async (t) => {
  const before = (await auditTypes()).length;
  const result = await cli(database, ['resources', 'update', R, '--format', 'jwt']);
  t.is(result.code, 0);
  t.regex(result.stdout, /unchanged/);
  t.is((await auditTypes()).length, before);
});

test.serial('--clear-introspection-clients empties the list', async (t) => {
  const updated = await cliJson(database, [
    'resources',
    'update',
    R,
    '--clear-introspection-clients',
  ]);
  t.deepEqual(updated.introspection_clients, []);
});

const refusals: Array<[string, string[], number, RegExp]> = [
  ['no option at all', [R], 2, /nothing to update/],
  [
    'both introspection options',
    [R, '--introspection-client', 'x', '--clear-introspection-clients'],
    2,
    /not both/,
  ],
  ['an unknown resource', ['https://none.example', '--name', 'X'], 1, /no resource/],
  ['an unknown format', [R, '--format', 'paseto'], 1, /jwt or opaque/],
  ['a lifetime over a day', [R, '--access-token-ttl', '2d'], 1, /lifetime/],
  ['a zero lifetime', [R, '--access-token-ttl', '0'], 1, /lifetime/],
  ['removing a scope it does not have', [R, '--remove-scope', 'zzz'], 1, /no scope "zzz"/],
  [
    'setting and removing one scope',
    [R, '--scope', 'a=again', '--remove-scope', 'a'],
    1,
    /both set and removed/,
  ],
  ['an OpenID scope', [R, '--scope', 'openid=x'], 1, /OpenID scope/],
  ['a scope without description', [R, '--scope', 'd'], 1, /name=description/],
  ['an unknown introspection client', [R, '--introspection-client', 'nobody'], 1, /no client/],
  ['an empty name', [R, '--name', '  '], 1, /1 to 100 characters/],
];

for (const [what, args, code, message] of refusals) {
  test.serial(`refuses ${what} with exit ${code} and changes nothing`, async (t) => {
    const before = await show();
    const result = await cli(database, ['resources', 'update', ...args]);
    t.is(result.code, code);
    t.regex(result.stderr, message);
    t.is(result.stderr.trim().split('\n').length, 1);
    t.deepEqual(await show(), before);
  });
}

test.serial('a public client cannot be an introspection client', async (t) => {
  const result = await cli(database, [
    'resources',
    'update',
    R,
    '--introspection-client',
    publicClient,
  ]);
  t.is(result.code, 1);
  t.regex(result.stderr, /is public/);
});

test.serial('a name another resource has (any case) is a conflict', async (t) => {
  await cliJson(database, [
    'resources',
    'create',
    '--identifier',
    'https://o.example',
    '--name',
    'Other',
  ]);
  const result = await cli(database, ['resources', 'update', R, '--name', 'OTHER']);
  t.is(result.code, 1);
  t.regex(result.stderr, /already exists/);
  t.is((await show()).name, 'Updated');
});

test.serial('--help has an example', async (t) => {
  const result = await cli(database, ['resources', 'update', '--help']);
  t.regex(result.stdout, /Example:\n {2}\$ portcullis resources update/);
});
