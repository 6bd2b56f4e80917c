import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { cli, cliJson } from './helpers.ts';

// Roles in `portcullis apply` files (issue 13, item 4): role-gated scopes and the roles claim on
// resources, roles themselves, plans, idempotence, prune and problems with their lines.

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

interface Change {
  field: string;
  before: unknown;
  after: unknown;
}
interface ApplyJson {
  applied: boolean;
  changed: boolean;
  resources: Array<{ identifier: string; action: string; changes: Change[] }>;
  roles: Array<{ name: string; action: string; changes: Change[] }>;
}

const API = 'https://notes.example.com';
const file = (options: { gated?: boolean; claim?: boolean; roles?: string } = {}) => `
resources:
  - identifier: ${API}
    name: Notes
    roles_claim: ${options.claim ?? true}
    scopes:
      - name: notes:read
        description: Read your notes
      - name: notes:admin
        description: Manage everyone's notes
        role_gated: ${options.gated ?? true}
roles:${
  options.roles ??
  `
  - name: notes-admin
    description: Runs the notes app
    scopes: ["${API} notes:admin notes:read"]`
}
`;

const apply = (text: string, ...flags: string[]) =>
  cli(database, ['apply', '-f', '-', '--json', ...flags], text);
const applied = async (text: string, ...flags: string[]) => {
  const result = await apply(text, ...flags);
  if (result.code !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as ApplyJson;
};

test.serial(
  'a file creates gated scopes, the claim and a role; again, nothing changes',
  async (t) => {
    const plan = await applied(file(), '--plan');
    t.false(plan.applied);
    t.deepEqual(plan.roles, [
      {
        name: 'notes-admin',
        action: 'create',
        changes: [
          { field: 'description', before: null, after: 'Runs the notes app' },
          { field: 'scopes', before: null, after: [`${API} notes:admin`, `${API} notes:read`] },
        ],
      },
    ]);
    t.deepEqual(
      (await cliJson<unknown[]>(database, ['roles', 'list'])).length,
      0,
      'a plan writes nothing',
    );

    const done = await applied(file());
    t.is(done.roles[0]?.action, 'create');
    t.like(done.resources[0], { action: 'create' });
    t.true(
      done.resources[0]?.changes.some(
        (c) => c.field === 'scopes.notes:admin.role_gated' && c.after === true,
      ),
    );
    t.like(await cliJson(database, ['resources', 'show', API]), {
      role_gated_scopes: ['notes:admin'],
      roles_claim: true,
    });
    t.deepEqual((await cliJson(database, ['roles', 'show', 'notes-admin'])).scopes, [
      { resource: API, scope: 'notes:admin' },
      { resource: API, scope: 'notes:read' },
    ]);

    const again = await applied(file());
    t.false(again.changed);
    t.is(again.roles[0]?.action, 'unchanged');
  },
);

test.serial('changes to gating, the claim and a role are applied and shown', async (t) => {
  const changed = await applied(
    file({
      gated: false,
      claim: false,
      roles: `
  - name: notes-admin
    scopes: ["${API} notes:admin"]`,
    }),
  );
  t.deepEqual(changed.resources[0]?.changes, [
    { field: 'roles_claim', before: true, after: false },
    { field: 'scopes.notes:admin.role_gated', before: true, after: false },
  ]);
  t.deepEqual(changed.roles[0]?.changes, [
    { field: 'description', before: 'Runs the notes app', after: '' },
    {
      field: 'scopes',
      before: [`${API} notes:admin`, `${API} notes:read`],
      after: [`${API} notes:admin`],
    },
  ]);
  const types = (await database.db('audit_events').orderBy('id').pluck('type')) as string[];
  t.true(types.includes('role.updated'));
  const text = await cli(database, ['apply', '-f', '-'], file());
  t.regex(text.stdout, /^roles:\n {2}~ notes-admin: updated$/m);
});

test.serial('a role not in the file is reported, and --prune deletes it', async (t) => {
  await cliJson(database, ['roles', 'create', 'extra', '--scope', `${API} notes:read`]);
  const kept = await applied(file());
  t.deepEqual(kept.roles.at(-1), { name: 'extra', action: 'not_in_file', changes: [] });
  const pruned = await applied(file(), '--prune', '--yes');
  t.deepEqual(pruned.roles.at(-1), { name: 'extra', action: 'delete', changes: [] });
  t.deepEqual(
    (await cliJson<Array<{ name: string }>>(database, ['roles', 'list'])).map((r) => r.name),
    ['notes-admin'],
  );
});

test.serial('problems: each with its line, and nothing applied', async (t) => {
  const bad = `${file({
    roles: `
  - name: notes-admin
    scopes: ["${API} notes:nope"]
  - name: bad name
    scopes: []
  - name: other
    scopes: ["https://nowhere.example notes:read"]
    colour: red
  - name: NOTES-ADMIN
    scopes: ["${API} notes:read"]`,
  })}`;
  const result = await apply(bad);
  t.is(result.code, 1);
  const lines = result.stderr.trim().split('\n');
  t.true(
    lines.some((l) =>
      /:14: roles\[0\]\.scopes\[0\]: resource ".*" has no scope "notes:nope"/.test(l),
    ),
    result.stderr,
  );
  t.true(
    lines.some((l) => /:15: roles\[1\]\.name: role name "bad name" must be/.test(l)),
    result.stderr,
  );
  t.true(
    lines.some((l) => /roles\[1\]\.scopes: needs at least one/.test(l)),
    result.stderr,
  );
  t.true(
    lines.some((l) => /roles\[2\]\.colour: unknown key "colour"/.test(l)),
    result.stderr,
  );
  t.true(
    lines.some((l) => /roles\[3\]\.name: is declared twice \(regardless of case\)/.test(l)),
    result.stderr,
  );
  t.regex(lines.at(-1) ?? '', /nothing was applied/);
  t.deepEqual((await cliJson(database, ['roles', 'show', 'notes-admin'])).scopes, [
    { resource: API, scope: 'notes:admin' },
    { resource: API, scope: 'notes:read' },
  ]);
});
