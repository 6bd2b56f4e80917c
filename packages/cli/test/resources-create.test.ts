import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { cli, cliJson, failsWithOneLine, showsHelpWithExample } from './helpers.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const count = async () => Number((await database.db('resources').count({ n: '*' }))[0]?.n);

test.serial('create registers a resource with scope descriptions', async (t) => {
  const created = await cliJson<Record<string, unknown>>(database, [
    'resources',
    'create',
    '--identifier',
    'https://api.example.com',
    '--name',
    'Example',
    '--scope',
    'read=Read things',
    '--scope',
    'write=Change things',
    '--access-token-ttl',
    '300',
  ]);
  t.is(created.access_token_ttl, 300);
  t.deepEqual(created.scopes, [
    { name: 'read', description: 'Read things' },
    { name: 'write', description: 'Change things' },
  ]);
  t.like(created, { identifier: 'https://api.example.com', name: 'Example' });
  const list = await cliJson<Array<{ identifier: string }>>(database, ['resources', 'list']);
  t.true(list.some((r) => r.identifier === 'https://api.example.com'));
});

test.serial('human output of create describes the resource', async (t) => {
  const result = await cli(database, [
    'resources',
    'create',
    '--identifier',
    'https://human.example',
    '--name',
    'Human',
    '--scope',
    'h:read=Read',
  ]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^created resource "Human" \(https:\/\/human\.example\)\n/);
  t.regex(result.stdout, /access tokens: jwt, 10m\n/);
  t.regex(result.stdout, /h:read: Read\n/);
});

const refusals: Array<[string, string[], RegExp]> = [
  ['a relative identifier', ['--identifier', '/api', '--name', 'A'], /not an absolute URI/],
  ['a fragment', ['--identifier', 'https://a.example/#x', '--name', 'A'], /fragment/],
  [
    'a scope without description',
    ['--identifier', 'https://b.example', '--name', 'B', '--scope', 'read'],
    /name=description/,
  ],
  [
    'a scope with a space',
    ['--identifier', 'https://c.example', '--name', 'C', '--scope', 'a b=x'],
    /not a valid scope/,
  ],
  [
    'a duplicate scope',
    ['--identifier', 'https://d.example', '--name', 'D', '--scope', 'a=x', '--scope', 'a=y'],
    /twice/,
  ],
  [
    'an OpenID scope',
    ['--identifier', 'https://e.example', '--name', 'E', '--scope', 'openid=x'],
    /OpenID scope/,
  ],
  [
    'a bad lifetime',
    ['--identifier', 'https://f.example', '--name', 'F', '--access-token-ttl', '10 minutes'],
    /lifetime/,
  ],
  [
    'a lifetime over a day',
    ['--identifier', 'https://g.example', '--name', 'G', '--access-token-ttl', '90000'],
    /lifetime/,
  ],
];

for (const [what, args, message] of refusals) {
  test.serial(`refuses ${what} and writes nothing`, async (t) => {
    const before = await count();
    const result = await cli(database, ['resources', 'create', ...args]);
    t.is(result.code, 1);
    t.regex(result.stderr, message);
    t.is(result.stderr.trim().split('\n').length, 1);
    t.is(await count(), before);
  });
}

test.serial('a duplicate identifier is refused', async (t) => {
  const args = ['resources', 'create', '--identifier', 'https://dup.example', '--name', 'Dup'];
  t.is((await cli(database, args)).code, 0);
  const again = await cli(database, [...args.slice(0, -1), 'Dup 2']);
  t.is(again.code, 1);
  t.regex(again.stderr, /already exists/);
});

test.serial(
  'create takes a lifetime as a duration, the format and introspection clients',
  async (t) => {
    const { client_id: api } = await cliJson<{ client_id: string }>(database, [
      'clients',
      'create',
      '--name',
      'opaque-api',
      '--grant',
      'client_credentials',
    ]);
    const created = await cliJson(database, [
      'resources',
      'create',
      '--identifier',
      'https://opaque.example',
      '--name',
      'Opaque',
      '--scope',
      'o:read=Read',
      '--access-token-ttl',
      '15m',
      '--format',
      'opaque',
      '--introspection-client',
      api,
    ]);
    t.like(created, {
      access_token_ttl: 900,
      access_token_format: 'opaque',
      introspection_clients: [api],
    });
    const event = await database
      .db('audit_events')
      .where({ type: 'resource.created' })
      .orderBy('id', 'desc')
      .first();
    t.like(event, {
      details: {
        resource: 'https://opaque.example',
        name: 'Opaque',
        scopes: ['o:read'],
        access_token_ttl: 900,
        access_token_format: 'opaque',
      },
    });
    t.regex(event.actor, /^cli:/);
  },
);

test.serial(
  'create refuses an unknown format or introspection client, writing nothing',
  async (t) => {
    const before = await count();
    for (const [args, message] of [
      [['--format', 'paseto'], /jwt or opaque/],
      [['--introspection-client', 'nobody'], /no client with id "nobody"/],
    ] as const) {
      const result = await cli(database, [
        'resources',
        'create',
        '--identifier',
        'https://refused.example',
        '--name',
        'Refused',
        ...args,
      ]);
      t.is(result.code, 1);
      t.regex(result.stderr, message);
    }
    t.is(await count(), before);
  },
);

test.serial(
  'usage errors: no --identifier or --name, an unknown option; exit 2, nothing written',
  async (t) => {
    const before = await count();
    for (const [args, why] of [
      [['--name', 'N'], /required option '--identifier <uri>' not specified/],
      [['--identifier', 'https://u.example'], /required option '--name <name>' not specified/],
      [
        ['--identifier', 'https://u.example', '--name', 'U', '--audience', 'x'],
        /unknown option '--audience'/,
      ],
    ] as const) {
      failsWithOneLine(t, await cli(database, ['resources', 'create', ...args]), why, 2);
    }
    t.is(await count(), before);
  },
);

test('--help has an example', async (t) => {
  await showsHelpWithExample(t, database, ['resources', 'create']);
});
