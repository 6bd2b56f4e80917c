import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashClientSecret } from '@portcullis/auth-server';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { type ClientJson, cliOnTerminal, failsWithOneLine } from './clients-fixtures.ts';
import { cli, cliJson } from './helpers.ts';

// `portcullis apply -f FILE` against a real database, starting from an empty one and applying
// the example file from infra/, then variations of it.

const exampleFile = fileURLToPath(
  new URL('../../../infra/portcullis.example.yaml', import.meta.url),
);

let database: TestDatabase;
let dir: string;
let example: string;
test.before(async () => {
  database = await createTestDatabase();
  dir = await mkdtemp(path.join(tmpdir(), 'portcullis-apply-'));
  example = await readFile(exampleFile, 'utf8');
});
test.after.always(async () => {
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Change {
  field: string;
  before: unknown;
  after: unknown;
}
interface ApplyJson {
  applied: boolean;
  changed: boolean;
  summary: Record<string, number>;
  resources: Array<{
    identifier: string;
    action: string;
    changes: Change[];
    scopes_not_in_file: string[];
  }>;
  clients: Array<{
    name: string;
    client_id: string | null;
    action: string;
    changes: Change[];
    new_secret: boolean;
  }>;
  secrets: Record<string, string>;
}

let files = 0;
/** Writes `text` to a new file in the test folder and returns its path. */
async function file(text: string, extension = 'yaml'): Promise<string> {
  files += 1;
  const name = path.join(dir, `declaration-${files}.${extension}`);
  await writeFile(name, text);
  return name;
}

/** The example file with `from` replaced by `to` (which must be there exactly once). */
function edited(from: string, to: string, text = example): string {
  if (text.split(from).length !== 2) throw new Error(`"${from}" is not in the file exactly once`);
  return text.replace(from, to);
}

/** Everything an apply can change, to show that a refused or planned one changed nothing. */
async function snapshot() {
  const rows = async (table: string, order: string) => database.db(table).orderBy(order);
  return {
    resources: await rows('resources', 'identifier'),
    scopes: await database.db('resource_scopes').orderBy(['resource_identifier', 'name']),
    clients: await rows('clients', 'id'),
    secrets: await rows('client_secrets', 'id'),
    audit: await rows('audit_events', 'id'),
  };
}

const auditTypes = async (since: number) =>
  (await database.db('audit_events').where('id', '>', since).orderBy('id')).map((e) => e.type);
const lastAuditId = async () =>
  Number((await database.db('audit_events').max({ id: 'id' }))[0]?.id ?? 0);

const showClient = (name: string) => cliJson<ClientJson>(database, ['clients', 'show', name]);

test.serial('from an empty database it creates every resource and client', async (t) => {
  const result = await cli(database, ['apply', '-f', exampleFile]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^ {2}\+ http:\/\/localhost:4000: created$/m);
  t.regex(result.stdout, /^ {2}\+ https:\/\/billing\.example\.com: created$/m);
  t.regex(result.stdout, /^ {6}scopes\.invoices:pay: "Pay your invoices"$/m);
  t.regex(result.stdout, /^ {2}\+ notes-web \([\w-]{22}\): created$/m);
  t.regex(result.stdout, /^ {6}refresh_token_ttl: 2592000$/m);
  t.regex(result.stdout, /^applied: 5 created, 0 updated, 0 unchanged$/m);

  const billing = await cliJson<Record<string, unknown>>(database, [
    'resources',
    'show',
    'https://billing.example.com',
  ]);
  t.like(billing, {
    name: 'Billing API',
    access_token_ttl: 300,
    access_token_format: 'opaque',
    scopes: [
      { name: 'invoices:pay', description: 'Pay your invoices' },
      { name: 'invoices:read', description: 'Read your invoices' },
    ],
  });
  t.like(await showClient('notes-web'), {
    grant_types: ['authorization_code', 'refresh_token'],
    redirect_uris: ['https://notes.example.com/callback', 'http://127.0.0.1:5173/callback'],
    scope: 'openid offline_access notes:read notes:write',
    resources: ['http://localhost:4000'],
    public: false,
    first_party: false,
    homepage: 'https://notes.example.com',
    logo_uri: 'https://notes.example.com/logo.png',
    access_token_ttl: null,
    refresh_token_ttl: 2_592_000,
    disabled: false,
  });
  t.like(await showClient('reports-worker'), {
    grant_types: ['client_credentials'],
    first_party: true,
    access_token_ttl: 120,
    resources: ['http://localhost:4000', 'https://billing.example.com'],
  });
  const cliClient = await showClient('notes-cli');
  t.like(cliClient, {
    grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
    public: true,
  });
  t.deepEqual((cliClient as unknown as { secrets: unknown[] }).secrets, [], 'public: no secret');

  // The audit trail has what the individual commands record.
  const events = await database.db('audit_events').orderBy('id');
  t.deepEqual(
    events.map((e) => e.type),
    [
      'resource.created',
      'resource.created',
      'client.created',
      'client.secret_added',
      'client.created',
      'client.secret_added',
      'client.created',
    ],
  );
  t.true(events.every((e) => /^cli:/.test(e.actor)));
});

test.serial('a second apply changes nothing and says so', async (t) => {
  const before = await snapshot();
  const result = await cli(database, ['apply', '-f', exampleFile]);
  t.is(result.code, 0, result.stderr);
  t.regex(
    result.stdout,
    /^no changes: the registration already matches .*portcullis\.example\.yaml \(5 unchanged\)$/m,
  );
  t.notRegex(result.stdout, /secret/);
  const json = await cliJson<ApplyJson>(database, ['apply', '-f', exampleFile]);
  t.false(json.changed);
  t.true(json.applied);
  t.deepEqual(json.summary, { create: 0, update: 0, delete: 0, unchanged: 5, not_in_file: 0 });
  t.true([...json.resources, ...json.clients].every((e) => e.changes.length === 0));
  t.deepEqual(json.secrets, {});
  t.deepEqual(await snapshot(), before, 'no row touched, no audit event');
});

test.serial('--plan prints the field-level diff and changes nothing', async (t) => {
  const changedFile = await file(
    edited(
      '    access_token_ttl: 2m\n',
      '    access_token_ttl: 5m\n',
      edited('description: Pay your invoices', 'description: Pay your open invoices'),
    ),
  );
  const before = await snapshot();
  const result = await cli(database, ['apply', '-f', changedFile, '--plan']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^ {2}~ https:\/\/billing\.example\.com: to update$/m);
  t.regex(
    result.stdout,
    /^ {6}scopes\.invoices:pay: "Pay your invoices" -> "Pay your open invoices"$/m,
  );
  t.regex(result.stdout, /^ {2}~ reports-worker \([\w-]{22}\): to update$/m);
  t.regex(result.stdout, /^ {6}access_token_ttl: 120 -> 300$/m);
  t.regex(result.stdout, /^ {2}= notes-web \([\w-]{22}\): unchanged$/m);
  t.regex(
    result.stdout,
    /^plan: 0 to create, 2 to update, 3 unchanged; nothing was changed \(run without --plan to apply\)$/m,
  );

  const json = await cliJson<ApplyJson>(database, ['apply', '-f', changedFile, '--plan']);
  t.false(json.applied);
  t.true(json.changed);
  t.deepEqual(json.clients.find((c) => c.name === 'reports-worker')?.changes, [
    { field: 'access_token_ttl', before: 120, after: 300 },
  ]);
  t.deepEqual(json.resources.find((r) => r.identifier.includes('billing'))?.changes, [
    { field: 'scopes.invoices:pay', before: 'Pay your invoices', after: 'Pay your open invoices' },
  ]);
  t.deepEqual(await snapshot(), before, 'a plan writes nothing, not even audit events');
});

test.serial('an update of one field changes that field only', async (t) => {
  const since = await lastAuditId();
  const before = await showClient('reports-worker');
  const changedFile = await file(
    edited('    access_token_ttl: 2m\n', '    access_token_ttl: 5m\n'),
  );
  const json = await cliJson<ApplyJson>(database, ['apply', '-f', changedFile]);
  t.deepEqual(json.summary, { create: 0, update: 1, delete: 0, unchanged: 4, not_in_file: 0 });
  t.deepEqual(
    json.clients.find((c) => c.action === 'update'),
    {
      name: 'reports-worker',
      client_id: before.client_id,
      action: 'update',
      changes: [{ field: 'access_token_ttl', before: 120, after: 300 }],
      new_secret: false,
    },
  );
  const after = await showClient('reports-worker');
  t.deepEqual(
    { ...after, updated_at: before.updated_at, access_token_ttl: 120 },
    before,
    'nothing else moved',
  );
  t.deepEqual(await auditTypes(since), ['client.updated']);
  const [event] = await database.db('audit_events').where('id', '>', since);
  t.deepEqual(event.details, { changed: ['access_token_ttl'] });
  t.is(event.client_id, before.client_id);

  // Back to the example file: the field returns; a field the file leaves out returns to the
  // default of `clients create`.
  await cliJson(database, ['apply', '-f', exampleFile]);
  t.is((await showClient('reports-worker')).access_token_ttl, 120);
  const withoutLogo = await file(edited('    logo_uri: https://notes.example.com/logo.png\n', ''));
  const cleared = await cliJson<ApplyJson>(database, ['apply', '-f', withoutLogo]);
  t.deepEqual(cleared.clients.find((c) => c.action === 'update')?.changes, [
    { field: 'logo_uri', before: 'https://notes.example.com/logo.png', after: null },
  ]);
  await cliJson(database, ['apply', '-f', exampleFile]);
});

test.serial('a new secret is printed once and never written to the file', async (t) => {
  const text = `${example}
  - name: ledger-sync
    grants: [client_credentials]
    scopes: [invoices:read]
    resources: [https://billing.example.com]
`;
  const withNew = await file(text);
  const json = await cliJson<ApplyJson>(database, ['apply', '-f', withNew]);
  t.deepEqual(Object.keys(json.secrets), ['ledger-sync']);
  const secret = json.secrets['ledger-sync'] ?? '';
  t.regex(secret, /^[\w-]{43}$/);
  const created = json.clients.find((c) => c.name === 'ledger-sync');
  t.is(created?.action, 'create');
  t.true(created?.new_secret);
  t.is(await readFile(withNew, 'utf8'), text, 'the file is left as it was');

  // Only the hash is stored, and it is the printed secret's.
  const [stored] = await database.db('client_secrets').where({ client_id: created?.client_id });
  t.is(stored.secret_hash, hashClientSecret(secret));
  t.false(JSON.stringify(await database.db('audit_events')).includes(secret));

  // Applied again: no secret printed.
  const again = await cli(database, ['apply', '-f', withNew]);
  t.is(again.code, 0, again.stderr);
  t.notRegex(again.stdout, /secret/);
  t.false(again.stdout.includes(secret));

  // The human form says where to look and that it is shown only now.
  const human = await cli(database, [
    'apply',
    '-f',
    await file(text.replace('ledger-sync', 'ledger-export')),
  ]);
  t.regex(human.stdout, /^new client secrets, shown only now .*not written to .*$/m);
  t.regex(human.stdout, /^ {2}ledger-export: [\w-]{43}$/m);
});

test.serial('clients absent from the file are reported and left alone', async (t) => {
  const before = await snapshot();
  const result = await cli(database, ['apply', '-f', exampleFile]);
  t.is(result.code, 0, result.stderr);
  t.regex(
    result.stdout,
    /^ {2}\? ledger-sync \([\w-]{22}\): not in the file: left alone \(--prune deletes it\)$/m,
  );
  t.regex(result.stdout, /\(5 unchanged, 2 not in the file\)$/m);
  t.deepEqual(await snapshot(), before);
});

test.serial('invalid entries change nothing and each is reported with its path', async (t) => {
  const invalid = `${example}
  - name: bad-redirects
    grants: [authorization_code]
    redirect_uris: [http://app.example.com/cb, "https://app.example.com/cb#x"]
  - name: bad-grant
    grants: [client_credentials, password]
  - name: bad-ttl
    grants: [client_credentials]
    access_token_ttl: 3d
  - name: public-with-client-credentials
    grants: [client_credentials]
    public: true
  - name: unknown-resource
    grants: [client_credentials]
    resources: [https://nowhere.example.com]
  - name: undefined-scope
    grants: [client_credentials]
    scopes: [notes:read, notes:admin]
    resources: [http://localhost:4000]
  - name: Notes-Web
    grants: [client_credentials]
  - name: wrong-type
    grants: client_credentials
  - grants: [client_credentials]
`;
  const withResourceErrors = invalid.replace(
    '    access_token_format: opaque\n',
    '    access_token_format: paseto\n',
  );
  const before = await snapshot();
  const result = await cli(database, ['apply', '-f', await file(withResourceErrors)]);
  t.is(result.code, 1);
  t.is(result.stdout, '');
  const lines = result.stderr.trim().split('\n');
  const expected = [
    /:\d+: resources\[1\]\.access_token_format: the access-token format must be jwt or opaque, got "paseto"$/,
    /:\d+: clients\[3\]\.redirect_uris\[0\]: redirect URI "http:\/\/app\.example\.com\/cb" must use https \(plain http only on loopback\)$/,
    /:\d+: clients\[3\]\.redirect_uris\[1\]: redirect URI ".*" must not contain a fragment$/,
    /:\d+: clients\[4\]\.grants\[1\]: unknown grant "password" \(supported: client_credentials, authorization_code, refresh_token, device_code\)$/,
    /:\d+: clients\[5\]\.access_token_ttl: must be from 1s to 1d$/,
    /:\d+: clients\[6\]\.public: a public client cannot use client_credentials: it has no secret$/,
    /:\d+: clients\[7\]\.resources\[0\]: unknown resource "https:\/\/nowhere\.example\.com": declare it under resources or register it with `portcullis resources create`$/,
    /:\d+: clients\[8\]\.scopes\[1\]: scope "notes:admin" is not defined on the client's resources$/,
    /:\d+: clients\[9\]\.name: is declared twice \(regardless of case\): also clients\[0\]$/,
    /:\d+: clients\[10\]\.grants: must be a list, not a string$/,
    /:\d+: clients\[11\]: needs a name$/,
    /^portcullis: nothing was applied: 11 problems in .*\.yaml$/,
  ];
  t.is(lines.length, expected.length, result.stderr);
  for (const pattern of expected) {
    t.true(
      lines.some((line) => pattern.test(line)),
      `${pattern} in:\n${result.stderr}`,
    );
  }
  t.regex(lines[0] ?? '', /^\/.*\.yaml:\d+: resources\[1\]/, 'file and line first, in file order');
  t.deepEqual(await snapshot(), before, 'the valid entries were not applied either');

  // The line is the entry's own.
  const source = withResourceErrors.split('\n');
  const lineOf = (pattern: RegExp) => {
    const found = lines.find((l) => pattern.test(l)) ?? '';
    return Number(/\.yaml:(\d+):/.exec(found)?.[1]);
  };
  t.regex(
    source[lineOf(/clients\[4\]\.grants\[1\]/) - 1] ?? '',
    /grants: \[client_credentials, password\]/,
  );
  t.regex(source[lineOf(/clients\[5\]\.access_token_ttl/) - 1] ?? '', /access_token_ttl: 3d/);
});

test.serial('resource entries: every value is checked as resources create checks it', async (t) => {
  const text = `resources:
  - identifier: https://api.example.com/#frag
    name: Bad
  - identifier: https://second.example.com
    name: ""
    access_token_ttl: 2d
    scopes:
      - name: openid
        description: Sign in
      - name: has space
        description: x
      - name: ok
        description: "   "
      - name: twice
        description: One
      - name: twice
        description: Two
`;
  const before = await snapshot();
  const result = await cli(database, ['apply', '-f', await file(text)]);
  t.is(result.code, 1);
  const expected = [
    'resources[0].identifier: resource "https://api.example.com/#frag" must not contain a fragment',
    'resources[1].name: resource name must be 1 to 100 characters',
    'resources[1].access_token_ttl: the access-token lifetime must be from 1 second to 1 day (like 600, 15m or 1h), got "2d"',
    'resources[1].scopes[0].name: "openid" is an OpenID scope, not a resource scope',
    'resources[1].scopes[1].name: "has space" is not a valid scope name (printable characters, no spaces or quotes)',
    'resources[1].scopes[2].description: scope "ok" needs a description',
    'resources[1].scopes[4].name: scope "twice" is declared twice (also resources[1].scopes[3])',
  ];
  const lines = result.stderr
    .trim()
    .split('\n')
    .map((l) => l.replace(/^.*?\.yaml:\d+: /, ''));
  t.deepEqual(lines, [
    ...expected,
    `portcullis: nothing was applied: 7 problems in ${lines.at(-1)?.split(' in ')[1]}`,
  ]);
  t.deepEqual(await snapshot(), before);
});

test.serial(
  'unknown keys are refused, with a suggestion: a typo never becomes a default',
  async (t) => {
    const text = `resource:
  - identifier: https://x.example.com
clients:
  - name: typo
    grants: [authorization_code]
    redirect_uri: https://app.example.com/cb
    redirect_uris: [https://app.example.com/cb]
    frist_party: true
resources:
  - identifier: https://typo.example.com
    name: Typo
    access_token_lifetime: 5m
    scopes:
      - name: a
        descripton: b
`;
    const before = await snapshot();
    const result = await cli(database, ['apply', '-f', await file(text)]);
    t.is(result.code, 1);
    for (const pattern of [
      /:1: resource: unknown key "resource" \(did you mean "resources"\?\); allowed: resources, clients, roles, identity_providers$/,
      /:6: clients\[0\]\.redirect_uri: unknown key "redirect_uri" \(did you mean "redirect_uris"\?\)/,
      /:8: clients\[0\]\.frist_party: unknown key "frist_party" \(did you mean "first_party"\?\)/,
      /:12: resources\[0\]\.access_token_lifetime: unknown key "access_token_lifetime"/,
      /:15: resources\[0\]\.scopes\[0\]\.descripton: unknown key "descripton" \(did you mean "description"\?\)/,
    ]) {
      t.regex(result.stderr, new RegExp(pattern.source, 'm'));
    }
    t.deepEqual(await snapshot(), before);
  },
);

test.serial('malformed files: one line with the place, nothing changed', async (t) => {
  const before = await snapshot();
  const cases: Array<[string, RegExp]> = [
    ['clients:\n  - name: a\n    name: b\n', /:3:5: Map keys must be unique$/m],
    ['clients: [\n', /:\d+:\d+: /],
    ['---\nclients: []\n---\nresources: []\n', /:3:1: Source contains multiple documents/],
    ['clients: !secret x\n', /:1:10: Unresolved tag: !secret$/m],
  ];
  for (const [text, why] of cases) {
    failsWithOneLine(t, await cli(database, ['apply', '-f', await file(text)]), why);
  }
  const empty = await cli(database, ['apply', '-f', await file('# nothing yet\n')]);
  t.is(empty.code, 1);
  t.regex(empty.stderr, /: \(file\): the file is empty: declare resources and clients$/m);
  const list = await cli(database, ['apply', '-f', await file('- a\n- b\n')]);
  t.regex(
    list.stderr,
    /\(file\): must be a mapping of resources, clients, roles, identity_providers$/m,
  );
  failsWithOneLine(
    t,
    await cli(database, ['apply', '-f', path.join(dir, 'missing.yaml')]),
    /cannot read .*missing\.yaml: no such file$/m,
  );
  failsWithOneLine(t, await cli(database, ['apply', '-f', dir]), /is not a file$/m);
  failsWithOneLine(
    t,
    await cli(database, ['apply', '-f', await file('x'.repeat(1024 * 1024 + 1))]),
    /is larger than 1 MiB$/m,
  );
  const usage = await cli(database, ['apply']);
  t.is(usage.code, 2);
  t.regex(usage.stderr, /required option '-f, --file <path>' not specified/);
  t.deepEqual(await snapshot(), before);
});

test.serial('-f - reads the declaration from stdin', async (t) => {
  const text = edited('    access_token_ttl: 2m\n', '    access_token_ttl: 3m\n');
  const result = await cli(database, ['apply', '-f', '-', '--json'], text);
  t.is(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout) as ApplyJson;
  t.deepEqual(json.clients.find((c) => c.action === 'update')?.changes, [
    { field: 'access_token_ttl', before: 120, after: 180 },
  ]);
  const human = await cli(database, ['apply', '-f', '-'], example);
  t.regex(human.stdout, /^ {2}~ reports-worker .*: updated$/m);
  t.regex(human.stdout, /^applied: 0 created, 1 updated, 4 unchanged, 2 not in the file$/m);
  const bad = await cli(database, ['apply', '-f', '-'], 'clients:\n  - name: x\n');
  t.is(bad.code, 1);
  t.regex(bad.stderr, /^stdin:2: clients\[0\]: needs grants$/m);
});

test.serial('JSON files are read too (with the same checks)', async (t) => {
  const declaration = {
    resources: [
      {
        identifier: 'https://json.example.com',
        name: 'JSON API',
        access_token_ttl: 900,
        scopes: [{ name: 'json:read', description: 'Read JSON' }],
      },
    ],
    clients: [
      {
        name: 'json-client',
        grants: ['client_credentials'],
        scopes: ['json:read'],
        resources: ['https://json.example.com'],
        disabled: true,
      },
    ],
  };
  const jsonFile = await file(JSON.stringify(declaration, null, '\t'), 'json');
  const json = await cliJson<ApplyJson>(database, ['apply', '-f', jsonFile]);
  t.is(json.resources.find((r) => r.identifier === 'https://json.example.com')?.action, 'create');
  t.is(json.clients.find((c) => c.name === 'json-client')?.action, 'create');
  t.truthy(json.secrets['json-client']);
  t.like(await showClient('json-client'), { disabled: true, scope: 'json:read' });
  t.is(
    (
      await cliJson<{ access_token_ttl: number }>(database, [
        'resources',
        'show',
        'https://json.example.com',
      ])
    ).access_token_ttl,
    900,
  );

  // Duplicate keys are refused in JSON too, where JSON.parse would keep the last silently.
  const duplicate = await cli(database, [
    'apply',
    '-f',
    await file('{"clients": [], "clients": []}', 'json'),
  ]);
  t.is(duplicate.code, 1);
  t.regex(duplicate.stderr, /:1:\d+: Map keys must be unique/);
});

test.serial('disabled: unset keeps the state, false enables, true disables', async (t) => {
  const declaration = (disabled: string) => `clients:
  - name: json-client
    grants: [client_credentials]
    scopes: [json:read]
    resources: [https://json.example.com]
${disabled}`;
  const since = await lastAuditId();
  const kept = await cliJson<ApplyJson>(database, ['apply', '-f', await file(declaration(''))]);
  t.is(kept.clients.find((c) => c.name === 'json-client')?.action, 'unchanged');
  t.true((await showClient('json-client')).disabled, 'an emergency disable survives an apply');

  const enabled = await cliJson<ApplyJson>(database, [
    'apply',
    '-f',
    await file(declaration('    disabled: false\n')),
  ]);
  t.deepEqual(enabled.clients.find((c) => c.name === 'json-client')?.changes, [
    { field: 'disabled', before: true, after: false },
  ]);
  t.false((await showClient('json-client')).disabled);
  await cliJson(database, ['apply', '-f', await file(declaration('    disabled: true\n'))]);
  t.true((await showClient('json-client')).disabled);
  t.deepEqual(await auditTypes(since), ['client.enabled', 'client.disabled']);
});

test.serial('--prune without --yes and without a terminal refuses (exit 2)', async (t) => {
  const before = await snapshot();
  failsWithOneLine(
    t,
    await cli(database, ['apply', '-f', exampleFile, '--prune']),
    /refusing to prune without confirmation: stdin is not a terminal, pass --yes$/m,
    2,
  );
  failsWithOneLine(
    t,
    await cli(database, ['apply', '-f', '-', '--prune'], example),
    /--prune with -f - needs --yes/,
    2,
  );
  t.deepEqual(await snapshot(), before);
});

test.serial('--prune --plan lists the deletions and deletes nothing', async (t) => {
  const before = await snapshot();
  const result = await cli(database, ['apply', '-f', exampleFile, '--prune', '--plan']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^ {2}- ledger-sync \([\w-]{22}\): to delete$/m);
  t.regex(result.stdout, /^ {2}- json-client \([\w-]{22}\): to delete$/m);
  t.regex(result.stdout, /^ {2}- https:\/\/json\.example\.com: to delete$/m);
  t.regex(result.stdout, /^plan: 0 to create, 0 to update, 4 to delete, 5 unchanged;/m);
  t.deepEqual(await snapshot(), before);
});

test.serial('--prune on a terminal asks; "n" changes nothing', async (t) => {
  const before = await snapshot();
  const result = await cliOnTerminal(database, ['apply', '-f', exampleFile, '--prune'], 'n\n');
  t.is(result.code, 1);
  t.regex(result.stderr, /^ {2}client "ledger-sync" \([\w-]{22}\)$/m);
  t.regex(result.stderr, /^ {2}resource https:\/\/json\.example\.com$/m);
  t.regex(result.stderr, /Delete these 4 and apply the file\? \[y\/N\] /);
  t.regex(result.stderr, /nothing applied: the deletions were not confirmed$/m);
  t.deepEqual(await snapshot(), before);
});

test.serial('--prune deletes what the file does not declare; scopes too', async (t) => {
  // A scope the file does not declare is reported, and deleted only with --prune.
  await cliJson(database, [
    'resources',
    'update',
    'http://localhost:4000',
    '--scope',
    'notes:legacy=Old notes',
  ]);
  const kept = await cliJson<ApplyJson>(database, ['apply', '-f', exampleFile]);
  t.deepEqual(
    kept.resources.find((r) => r.identifier === 'http://localhost:4000')?.scopes_not_in_file,
    ['notes:legacy'],
  );

  const ledger = await showClient('ledger-sync');
  const since = await lastAuditId();
  const result = await cliOnTerminal(database, ['apply', '-f', exampleFile, '--prune'], 'y\n');
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, /^ {2}scope notes:legacy of http:\/\/localhost:4000$/m);
  t.regex(result.stdout, /^ {2}- ledger-sync \([\w-]{22}\): deleted$/m);
  t.regex(result.stdout, /^ {6}scopes\.notes:legacy: "Old notes" -> \(deleted\)$/m);
  const clients = await cliJson<Array<{ name: string }>>(database, ['clients', 'list']);
  t.deepEqual(clients.map((c) => c.name).sort(), ['notes-cli', 'notes-web', 'reports-worker']);
  const resources = await cliJson<Array<{ identifier: string }>>(database, ['resources', 'list']);
  t.deepEqual(resources.map((r) => r.identifier).sort(), [
    'http://localhost:4000',
    'https://billing.example.com',
  ]);
  const types = await auditTypes(since);
  t.deepEqual(types.filter((type) => type === 'client.deleted').length, 3);
  t.true(types.includes('resource.deleted'));
  t.true(types.includes('resource.updated'));
  t.deepEqual(await database.db('client_secrets').where({ client_id: ledger.client_id }), []);

  // --yes, for scripts: with nothing left to prune it simply applies.
  const again = await cliJson<ApplyJson>(database, [
    'apply',
    '-f',
    exampleFile,
    '--prune',
    '--yes',
  ]);
  t.false(again.changed);
});

test.serial('--prune refuses to delete a resource a declared client still uses', async (t) => {
  await cliJson(database, [
    'resources',
    'create',
    '--identifier',
    'https://extra.example.com',
    '--name',
    'Extra',
    '--scope',
    'extra:read=Read extras',
  ]);
  const text = `${example}
  - name: extra-user
    grants: [client_credentials]
    resources: [https://extra.example.com]
`;
  const before = await snapshot();
  const result = await cli(database, ['apply', '-f', await file(text), '--prune', '--yes']);
  t.is(result.code, 1);
  t.regex(
    result.stderr,
    /:\d+: clients\[3\]\.resources\[0\]: resource "https:\/\/extra\.example\.com" is not in the file, so --prune deletes it: declare it under resources$/m,
  );
  t.deepEqual(await snapshot(), before);
});

test.serial('--help explains the command with an example', async (t) => {
  const result = await cli(database, ['apply', '--help']);
  t.is(result.code, 0);
  t.regex(result.stdout, /-f, --file <path>/);
  t.regex(result.stdout, /--plan/);
  t.regex(result.stdout, /--prune/);
  t.regex(
    result.stdout,
    /Example:\n {2}\$ portcullis apply -f infra\/portcullis\.example\.yaml --plan/,
  );
});
