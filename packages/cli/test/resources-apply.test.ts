import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Change, listenForChanges } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test, { type ExecutionContext } from 'ava';
import { cli, cliJson, failsWithOneLine, showsHelpWithExample } from './helpers.ts';

let database: TestDatabase;
let dir: string;

const exampleCatalogue = fileURLToPath(
  new URL('../../example-api/src/catalogue.ts', import.meta.url),
);
const exampleResource = {
  identifier: 'http://localhost:4000',
  name: 'Example notes API',
  access_token_ttl: 600,
  access_token_format: 'jwt',
  scopes: [
    { name: 'notes:read', description: 'Read your notes' },
    { name: 'notes:write', description: 'Create and delete your notes' },
  ],
};

test.before(async () => {
  database = await createTestDatabase();
  dir = await mkdtemp(path.join(tmpdir(), 'portcullis-apply-'));
});
test.after.always(async () => {
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Scope = { name: string; description: string };
type Resource = { identifier: string; name: string; scopes: Scope[] };
const catalogue = (...resources: Resource[]) => ({ resources });

/** Writes `value` as a JSON file in the test folder and returns its path. */
async function jsonFile(name: string, value: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

async function listed(identifier: string) {
  const list = await cliJson<Array<{ identifier: string }>>(database, ['resources', 'list']);
  return list.find((r) => r.identifier === identifier);
}

const count = async (table: string) => Number((await database.db(table).count({ n: '*' }))[0]?.n);

test.serial(
  'apply --from the example catalogue registers what `portcullis dev` seeds',
  async (t) => {
    const result = await cli(database, ['resources', 'apply', '--from', exampleCatalogue]);
    t.is(result.code, 0, result.stderr);
    t.is(
      result.stdout,
      [
        'http://localhost:4000:',
        '  + create resource "Example notes API"',
        '  + scope notes:read: Read your notes',
        '  + scope notes:write: Create and delete your notes',
        'applied 3 changes',
        '',
      ].join('\n'),
    );
    t.deepEqual(await listed('http://localhost:4000'), exampleResource);
  },
);

test.serial('a second apply changes nothing (idempotent)', async (t) => {
  const result = await cli(database, ['resources', 'apply', '--from', exampleCatalogue]);
  t.is(result.code, 0);
  t.is(
    result.stdout,
    'http://localhost:4000: unchanged\nno changes: the registration matches the catalogue\n',
  );
  const json = await cliJson(database, ['resources', 'apply', '--from', exampleCatalogue]);
  t.deepEqual(json, { applied: true, changes: [], undeclared: [] });
});

test.serial('the path from the guide, relative to the repository, works too', async (t) => {
  const relative = path.relative(process.cwd(), exampleCatalogue);
  const result = await cli(database, ['resources', 'apply', '--from', relative, '--plan']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /no changes/);
});

test.serial('names and descriptions are updated, missing scopes added, in JSON', async (t) => {
  const file = await jsonFile(
    'update.json',
    catalogue({
      identifier: 'http://localhost:4000',
      name: 'Notes',
      scopes: [
        { name: 'notes:read', description: 'Read all your notes' },
        { name: 'notes:write', description: 'Create and delete your notes' },
        { name: 'notes:share', description: 'Share your notes' },
      ],
    }),
  );
  const result = await cliJson(database, ['resources', 'apply', '--from', file]);
  t.deepEqual(result, {
    applied: true,
    changes: [
      {
        action: 'rename_resource',
        resource: 'http://localhost:4000',
        from: 'Example notes API',
        to: 'Notes',
      },
      {
        action: 'update_scope',
        resource: 'http://localhost:4000',
        scope: 'notes:read',
        from: 'Read your notes',
        to: 'Read all your notes',
      },
      {
        action: 'add_scope',
        resource: 'http://localhost:4000',
        scope: 'notes:share',
        description: 'Share your notes',
      },
    ],
    undeclared: [],
  });
  t.like(await listed('http://localhost:4000'), { name: 'Notes' });
});

test.serial('without --prune, undeclared scopes are kept and reported', async (t) => {
  const result = await cli(database, ['resources', 'apply', '--from', exampleCatalogue]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /! scope notes:share is not declared: kept \(--prune deletes it\)/);
  t.regex(result.stdout, /~ rename "Notes" -> "Example notes API"/);
  t.regex(result.stdout, /~ scope notes:read: "Read all your notes" -> "Read your notes"/);
  const scopes = ((await listed('http://localhost:4000')) as Resource).scopes.map((s) => s.name);
  t.deepEqual(scopes, ['notes:read', 'notes:share', 'notes:write']);
});

test.serial('--plan with --prune prints the deletion and writes nothing', async (t) => {
  const before = await listed('http://localhost:4000');
  const result = await cli(database, [
    'resources',
    'apply',
    '--from',
    exampleCatalogue,
    '--prune',
    '--plan',
  ]);
  t.is(result.code, 0, result.stderr);
  t.is(
    result.stdout,
    [
      'http://localhost:4000:',
      '  - scope notes:share (deleted)',
      'plan: 1 change; nothing written (run without --plan to apply)',
      '',
    ].join('\n'),
  );
  t.deepEqual(await listed('http://localhost:4000'), before);
  const json = await cliJson(database, [
    'resources',
    'apply',
    '--from',
    exampleCatalogue,
    '--prune',
    '--plan',
  ]);
  t.like(json, { applied: false, undeclared: [] });
});

/** Collects changes announced on the database; resolves once listening. */
async function listen(t: ExecutionContext, received: Change[]): Promise<void> {
  await new Promise<void>((resolve) => {
    const listener = listenForChanges(database.url, {
      onChange: (change) => received.push(change),
      onConnected: resolve,
    });
    t.teardown(() => listener.close());
  });
}

async function waitFor(received: Change[], predicate: (change: Change) => boolean) {
  for (let i = 0; i < 200 && !received.some(predicate); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return received.some(predicate);
}

test.serial('--prune deletes undeclared scopes and announces the change', async (t) => {
  const received: Change[] = [];
  await listen(t, received);
  const result = await cli(database, ['resources', 'apply', '--from', exampleCatalogue, '--prune']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /applied 1 change$/m);
  t.deepEqual(await listed('http://localhost:4000'), exampleResource);
  t.true(await waitFor(received, (c) => c.kind === 'resource' && c.id === 'http://localhost:4000'));
});

test.serial('a JSON catalogue can create several resources; others are left alone', async (t) => {
  const received: Change[] = [];
  await listen(t, received);
  const file = await jsonFile(
    'two.json',
    catalogue(
      {
        identifier: 'https://billing.example.com',
        name: 'Billing',
        scopes: [{ name: 'invoices:read', description: 'See invoices' }],
      },
      { identifier: 'https://empty.example.com', name: 'Empty', scopes: [] },
    ),
  );
  const result = await cli(database, ['resources', 'apply', '--from', file]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /applied 3 changes/);
  t.like(await listed('https://billing.example.com'), { name: 'Billing', access_token_ttl: 600 });
  t.like(await listed('https://empty.example.com'), { name: 'Empty', scopes: [] });
  t.deepEqual(await listed('http://localhost:4000'), exampleResource);
  t.true(await waitFor(received, (c) => c.id === 'https://billing.example.com'));
  t.true(await waitFor(received, (c) => c.id === 'https://empty.example.com'));
});

test.serial('a .mjs module exporting a plain object as `catalogue` works', async (t) => {
  const file = path.join(dir, 'plain.mjs');
  const value = catalogue({
    identifier: 'https://plain.example.com',
    name: 'Plain',
    scopes: [{ name: 'plain:read', description: 'Read' }],
  });
  await writeFile(file, `export const catalogue = ${JSON.stringify(value)};\n`);
  const result = await cliJson(database, ['resources', 'apply', '--from', file]);
  t.like(result, { applied: true });
  t.like(await listed('https://plain.example.com'), { name: 'Plain' });
});

test.serial('one transaction: a failure half-way leaves nothing applied', async (t) => {
  // A trigger that fails the insert of one scope, after other writes of the same apply.
  await database.db.raw(`
    CREATE FUNCTION refuse_boom() RETURNS trigger AS $$
    BEGIN
      IF NEW.name = 'boom:scope' THEN RAISE EXCEPTION 'refused by a test trigger'; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql;
    CREATE TRIGGER refuse_boom BEFORE INSERT ON resource_scopes
      FOR EACH ROW EXECUTE FUNCTION refuse_boom();
  `);
  t.teardown(() => database.db.raw('DROP TRIGGER refuse_boom ON resource_scopes'));
  const file = await jsonFile(
    'boom.json',
    catalogue(
      {
        identifier: 'https://billing.example.com',
        name: 'Billing (renamed)',
        scopes: [{ name: 'invoices:read', description: 'See invoices' }],
      },
      {
        identifier: 'https://first.example.com',
        name: 'First',
        scopes: [{ name: 'ok:scope', description: 'Fine' }],
      },
      {
        identifier: 'https://second.example.com',
        name: 'Second',
        scopes: [{ name: 'boom:scope', description: 'Fails' }],
      },
    ),
  );
  const resources = await count('resources');
  const scopes = await count('resource_scopes');
  const result = await cli(database, ['resources', 'apply', '--from', file]);
  t.is(result.code, 1);
  t.regex(result.stderr, /refused by a test trigger/);
  t.is(result.stderr.trim().split('\n').length, 1);
  t.is(await count('resources'), resources);
  t.is(await count('resource_scopes'), scopes);
  t.like(await listed('https://billing.example.com'), { name: 'Billing' });
});

const refusals: Array<[string, unknown, RegExp]> = [
  ['not an object', '[1, 2]', /must be an object \{ "resources": \[\.\.\.\] \}/],
  ['no resources list', { resource: [] }, /unknown key "resource"/],
  [
    'a relative identifier',
    catalogue({ identifier: '/api', name: 'A', scopes: [] }),
    /^portcullis: resources\[0\]\.identifier: resource "\/api" is not an absolute URI$/,
  ],
  [
    'an identifier with a fragment',
    catalogue({ identifier: 'https://a.example/#x', name: 'A', scopes: [] }),
    /fragment/,
  ],
  [
    'a non-http identifier',
    catalogue({ identifier: 'urn:x:y', name: 'A', scopes: [] }),
    /http or https/,
  ],
  [
    'an empty name',
    catalogue({ identifier: 'https://a.example', name: ' ', scopes: [] }),
    /resources\[0\]\.name: the name must be 1 to 100 characters/,
  ],
  [
    'a scope with a space',
    catalogue({
      identifier: 'https://a.example',
      name: 'A',
      scopes: [{ name: 'a b', description: 'x' }],
    }),
    /resources\[0\]\.scopes\[0\]\.name: "a b" is not a valid scope name/,
  ],
  [
    'an OpenID scope',
    catalogue({
      identifier: 'https://a.example',
      name: 'A',
      scopes: [{ name: 'openid', description: 'x' }],
    }),
    /OpenID scope/,
  ],
  [
    'a scope declared twice',
    catalogue({
      identifier: 'https://a.example',
      name: 'A',
      scopes: [
        { name: 's', description: 'x' },
        { name: 's', description: 'y' },
      ],
    }),
    /resources\[0\]\.scopes\[1\]: scope "s" is declared twice/,
  ],
  [
    'a scope without description',
    catalogue({
      identifier: 'https://a.example',
      name: 'A',
      scopes: [{ name: 's', description: '' }],
    }),
    /description: must be 1 to 300 characters/,
  ],
  [
    'a description with a control character',
    catalogue({
      identifier: 'https://a.example',
      name: 'A',
      scopes: [{ name: 's', description: 'a\u0007b' }],
    }),
    /control characters/,
  ],
  [
    'a scope in the CLI form',
    catalogue({ identifier: 'https://a.example', name: 'A', scopes: ['s=x' as unknown as Scope] }),
    /must be \{ "name", "description" \}/,
  ],
  [
    'an unknown key',
    { resources: [{ identifier: 'https://a.example', name: 'A', scopes: [], ttl: 60 }] },
    /resources\[0\]: unknown key "ttl"/,
  ],
  [
    'an identifier declared twice',
    catalogue(
      { identifier: 'https://a.example', name: 'A', scopes: [] },
      { identifier: 'https://a.example', name: 'B', scopes: [] },
    ),
    /resources\[1\]: identifier "https:\/\/a\.example" is declared twice/,
  ],
  [
    'a name declared twice, in another case',
    catalogue(
      { identifier: 'https://a.example', name: 'Same', scopes: [] },
      { identifier: 'https://b.example', name: 'SAME', scopes: [] },
    ),
    /declared twice/,
  ],
  [
    'a name taken by another resource',
    catalogue({ identifier: 'https://taken.example', name: 'billing', scopes: [] }),
    /the name "billing" is taken by the resource https:\/\/billing\.example\.com/,
  ],
  ['malformed JSON', '{"resources": [', /is not valid JSON/],
];

for (const [what, content, message] of refusals) {
  test.serial(`refuses ${what} with one line, exit 1, and writes nothing`, async (t) => {
    const file = await jsonFile(`refused-${what.replaceAll(/\W+/g, '-')}.json`, content);
    const resources = await count('resources');
    const scopes = await count('resource_scopes');
    const result = await cli(database, ['resources', 'apply', '--from', file]);
    t.is(result.code, 1);
    t.regex(result.stderr.trim(), message);
    t.is(result.stderr.trim().split('\n').length, 1);
    t.is(result.stdout, '');
    t.is(await count('resources'), resources);
    t.is(await count('resource_scopes'), scopes);
  });
}

test.serial('refuses files it cannot use, with one line and exit 1', async (t) => {
  const noExport = path.join(dir, 'no-export.mjs');
  await writeFile(noExport, 'export const other = 1;\n');
  const throwing = path.join(dir, 'throwing.mjs');
  await writeFile(throwing, "throw new Error('cannot build the catalogue');\n");
  const differing = path.join(dir, 'differing.mjs');
  await writeFile(
    differing,
    'export default { resources: [] };\nexport const catalogue = { resources: [] };\n',
  );
  const text = path.join(dir, 'catalogue.yaml');
  await writeFile(text, 'resources: []\n');
  const cases: Array<[string, RegExp]> = [
    [path.join(dir, 'missing.json'), /cannot read .*missing\.json: no such file/],
    [dir, /is not a file/],
    [text, /give a \.json file or a \.ts or \.js module/],
    [noExport, /exports no catalogue: export it as default or as "catalogue"/],
    [throwing, /cannot load .*throwing\.mjs: cannot build the catalogue/],
    [differing, /exports a default and a "catalogue" that differ/],
  ];
  for (const [from, message] of cases) {
    const result = await cli(database, ['resources', 'apply', '--from', from]);
    t.is(result.code, 1, from);
    t.regex(result.stderr, message);
    t.is(result.stderr.trim().split('\n').length, 1);
  }
});

test.serial('--from is required (usage error, exit 2)', async (t) => {
  const result = await cli(database, ['resources', 'apply']);
  t.is(result.code, 2);
  t.regex(result.stderr, /--from/);
});

test.serial('--help has an example; an unknown option is a usage error', async (t) => {
  await showsHelpWithExample(t, database, ['resources', 'apply']);
  failsWithOneLine(
    t,
    await cli(database, ['resources', 'apply', '--from', 'x.json', '--force']),
    /unknown option '--force'/,
    2,
  );
});
