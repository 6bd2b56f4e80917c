import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { API, cli, cliJson, createExampleResource, failsWithOneLine } from './helpers.ts';

// Roles and role-gated scopes through the CLI (issue 13, item 4): round trips, the audit trail
// and the one-line refusals.

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
  await createExampleResource(database);
  await cliJson(database, ['resources', 'update', API, '--scope', 'notes:admin=Manage all notes']);
  await cli(
    database,
    ['users', 'create', '--username', 'rita', '--password-stdin'],
    'rita-pass-1\n',
  );
});
test.after.always(async () => {
  await database?.drop();
});

const events = async (type: string) =>
  (await database
    .db('audit_events')
    .where({ type })
    .orderBy('id')
    .select('actor', 'subject', 'details')) as Array<{
    actor: string;
    subject: string | null;
    details: Record<string, unknown>;
  }>;

test.serial(
  'a resource marks scopes role-gated and turns the roles claim on, and back',
  async (t) => {
    const gated = await cliJson(database, [
      'resources',
      'update',
      API,
      '--role-gated',
      'notes:admin',
      '--roles-claim',
    ]);
    t.like(gated, { role_gated_scopes: ['notes:admin'], roles_claim: true });
    t.deepEqual(gated.changed, ['scope notes:admin role-gated', 'roles_claim']);
    const shown = await cli(database, ['resources', 'show', API]);
    t.regex(shown.stdout, /notes:admin: Manage all notes \(role-gated\)/);
    t.regex(shown.stdout, /roles claim: yes/);

    const open = await cliJson(database, [
      'resources',
      'update',
      API,
      '--not-role-gated',
      'notes:admin',
      '--no-roles-claim',
    ]);
    t.like(open, { role_gated_scopes: [], roles_claim: false });
    await cliJson(database, ['resources', 'update', API, '--role-gated', 'notes:admin']);
    const updates = await events('resource.updated');
    t.deepEqual(updates.at(-1)?.details.changed, ['scope notes:admin role-gated']);
  },
);

test.serial('resources create takes --role-gated and --roles-claim', async (t) => {
  const created = await cliJson(database, [
    'resources',
    'create',
    '--identifier',
    'https://gated.example',
    '--name',
    'Gated',
    '--scope',
    'a=Scope A',
    '--scope',
    'b=Scope B',
    '--role-gated',
    'b',
    '--roles-claim',
  ]);
  t.like(created, { role_gated_scopes: ['b'], roles_claim: true });
  failsWithOneLine(
    t,
    await cli(database, [
      'resources',
      'create',
      '--identifier',
      'https://gated2.example',
      '--name',
      'Gated 2',
      '--scope',
      'a=Scope A',
      '--role-gated',
      'c',
    ]),
    /the resource has no scope "c"/,
  );
});

test.serial('gating refuses an unknown scope and a scope both gated and not', async (t) => {
  failsWithOneLine(
    t,
    await cli(database, ['resources', 'update', API, '--role-gated', 'notes:nope']),
    /the resource has no scope "notes:nope"/,
  );
  failsWithOneLine(
    t,
    await cli(database, [
      'resources',
      'update',
      API,
      '--role-gated',
      'notes:read',
      '--not-role-gated',
      'notes:read',
    ]),
    /scope "notes:read" is both role-gated and not/,
  );
});

test.serial('roles create, list, show; users add-role and remove-role; delete', async (t) => {
  const role = await cliJson(database, [
    'roles',
    'create',
    'notes-admin',
    '--scope',
    `${API} notes:admin notes:read`,
    '--description',
    'Runs the notes app',
  ]);
  t.like(role, { name: 'notes-admin', description: 'Runs the notes app' });
  t.deepEqual(role.scopes, [
    { resource: API, scope: 'notes:admin' },
    { resource: API, scope: 'notes:read' },
  ]);
  t.deepEqual(
    (await cliJson<Array<{ name: string }>>(database, ['roles', 'list'])).map((r) => r.name),
    ['notes-admin'],
  );

  const added = await cliJson(database, ['users', 'add-role', 'RITA', 'Notes-Admin']);
  t.like(added, { username: 'rita', role: 'notes-admin', changed: true });
  const again = await cli(database, ['users', 'add-role', 'rita', 'notes-admin']);
  t.is(again.code, 0);
  t.regex(again.stdout, /already has role "notes-admin": nothing changed/);
  t.like(await cliJson(database, ['roles', 'show', 'notes-admin']), {
    users: [{ username: 'rita' }],
  });
  t.deepEqual((await cliJson(database, ['users', 'show', 'rita'])).roles, ['notes-admin']);
  t.regex((await cli(database, ['users', 'show', 'rita'])).stdout, /roles: {4}notes-admin/);

  t.like(await cliJson(database, ['users', 'remove-role', 'rita', 'notes-admin']), {
    changed: true,
  });
  t.like(await cliJson(database, ['users', 'remove-role', 'rita', 'notes-admin']), {
    changed: false,
  });
  await cliJson(database, ['users', 'add-role', 'rita', 'notes-admin']);

  const deleted = await cliJson(database, ['roles', 'delete', 'notes-admin']);
  t.like(deleted, { name: 'notes-admin', users: [{ username: 'rita' }] });
  t.deepEqual((await cliJson(database, ['users', 'show', 'rita'])).roles, []);

  const created = await events('role.created');
  t.regex(created.at(-1)?.actor ?? '', /^cli:/);
  t.deepEqual(created.at(-1)?.details, {
    role: 'notes-admin',
    scopes: [`${API} notes:admin`, `${API} notes:read`],
  });
  t.is((await events('user.role_added')).length, 2, 'the no-op add is not recorded');
  t.is((await events('user.role_removed')).length, 1, 'nor the no-op removal');
  t.like((await events('user.role_removed'))[0], {
    details: { username: 'rita', role: 'notes-admin' },
  });
  t.like((await events('role.deleted'))[0], { details: { role: 'notes-admin', users: 1 } });
});

test.serial('one-line refusals', async (t) => {
  await cliJson(database, ['roles', 'create', 'reader', '--scope', `${API} notes:read`]);
  const refusals: Array<[string[], RegExp, number?]> = [
    [
      ['roles', 'create', 'READER', '--scope', `${API} notes:read`],
      /a role named "READER" already exists/,
    ],
    [
      ['roles', 'create', 'x', '--scope', 'https://nowhere.example notes:read'],
      /no resource "https:\/\/nowhere.example"/,
    ],
    [['roles', 'create', 'x', '--scope', `${API} notes:nope`], /has no scope "notes:nope"/],
    [
      ['roles', 'create', 'x', '--scope', API],
      /must be a resource identifier followed by its scopes/,
    ],
    [
      ['roles', 'create', 'bad name', '--scope', `${API} notes:read`],
      /role name "bad name" must be/,
    ],
    [['roles', 'create', 'x'], /required option '--scope/, 2],
    [['roles', 'show', 'nobody'], /no role "nobody"/],
    [['roles', 'delete', 'nobody'], /no role "nobody"/],
    [['users', 'add-role', 'nobody', 'reader'], /no user with id or username "nobody"/],
    [['users', 'add-role', 'rita', 'nobody'], /no role "nobody"/],
  ];
  for (const [args, why, code] of refusals)
    failsWithOneLine(t, await cli(database, args), why, code);
  t.deepEqual(
    (await cliJson<Array<{ name: string }>>(database, ['roles', 'list'])).map((r) => r.name),
    ['reader'],
    'nothing was written by a refusal',
  );
});

test.serial('deleting a scope takes it out of the roles that held it', async (t) => {
  await cliJson(database, ['resources', 'update', API, '--scope', 'notes:tmp=Temporary']);
  await cliJson(database, ['roles', 'create', 'temp', '--scope', `${API} notes:tmp notes:read`]);
  await cliJson(database, ['resources', 'update', API, '--remove-scope', 'notes:tmp']);
  t.deepEqual((await cliJson(database, ['roles', 'show', 'temp'])).scopes, [
    { resource: API, scope: 'notes:read' },
  ]);
});
