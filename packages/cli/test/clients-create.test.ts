import { verifyClientSecret } from '@portcullis/auth-server';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { API, cli, cliJson, createExampleResource } from './helpers.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
  await createExampleResource(database);
});
test.after.always(async () => {
  await database?.drop();
});

const counts = async () => ({
  clients: Number((await database.db('clients').count({ n: '*' }))[0]?.n),
  secrets: Number((await database.db('client_secrets').count({ n: '*' }))[0]?.n),
});

test.serial(
  'creates a confidential client and shows its secret once, stored only as a hash',
  async (t) => {
    const created = await cliJson<{ client_id: string; client_secret: string; scope: string }>(
      database,
      [
        'clients',
        'create',
        '--name',
        'billing',
        '--grant',
        'client_credentials',
        '--resource',
        API,
        '--scope',
        'notes:read notes:write',
        '--first-party',
      ],
    );
    t.regex(created.client_id, /^[A-Za-z0-9_-]{22}$/);
    t.true(Buffer.from(created.client_secret, 'base64url').length >= 32, 'at least 256 bits');
    t.is(created.scope, 'notes:read notes:write');
    const rows = await database.db('client_secrets').where({ client_id: created.client_id });
    t.is(rows.length, 1);
    t.false(
      JSON.stringify(rows).includes(created.client_secret),
      'the secret itself is not stored',
    );
    t.true(verifyClientSecret(created.client_secret, rows[0].secret_hash));

    const shown = await cliJson<Record<string, unknown>>(database, ['clients', 'show', 'billing']);
    t.false(JSON.stringify(shown).includes(created.client_secret), 'show never prints the secret');
    t.is((shown.secrets as unknown[]).length, 1);
  },
);

test.serial('human output names the client_id and client_secret', async (t) => {
  const result = await cli(database, [
    'clients',
    'create',
    '--name',
    'human',
    '--grant',
    'client_credentials',
    '--resource',
    API,
  ]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /client_id: +\S+/);
  t.regex(result.stdout, /client_secret: +\S+/);
});

test.serial('a public authorization-code client has no secret', async (t) => {
  const created = await cliJson<Record<string, unknown>>(database, [
    'clients',
    'create',
    '--name',
    'spa',
    '--grant',
    'authorization_code',
    '--public',
    '--redirect-uri',
    'http://127.0.0.1:8080/callback',
    '--redirect-uri',
    'https://app.example.com/cb',
  ]);
  t.is(created.client_secret, undefined);
  t.is(created.public, true);
  t.deepEqual(created.redirect_uris, [
    'http://127.0.0.1:8080/callback',
    'https://app.example.com/cb',
  ]);
});

const refusals: Array<[string, string[], RegExp]> = [
  ['an unknown grant', ['--grant', 'password'], /unknown grant "password"/],
  ['implicit', ['--grant', 'implicit'], /unknown grant "implicit"/],
  [
    'a relative redirect URI',
    ['--grant', 'authorization_code', '--redirect-uri', '/callback'],
    /not an absolute URI/,
  ],
  [
    'a javascript: redirect URI',
    ['--grant', 'authorization_code', '--redirect-uri', 'javascript:alert(1)'],
    /forbidden scheme/,
  ],
  [
    'a data: redirect URI',
    ['--grant', 'authorization_code', '--redirect-uri', 'data:text/html,hi'],
    /forbidden scheme/,
  ],
  [
    'a redirect URI with a fragment',
    ['--grant', 'authorization_code', '--redirect-uri', 'https://a.example/cb#x'],
    /fragment/,
  ],
  [
    'plain http off loopback',
    ['--grant', 'authorization_code', '--redirect-uri', 'http://app.example.com/cb'],
    /https/,
  ],
  ['authorization_code without a redirect URI', ['--grant', 'authorization_code'], /redirect-uri/],
  [
    'an unknown resource',
    ['--grant', 'client_credentials', '--resource', 'https://nope.example'],
    /unknown resource/,
  ],
  [
    'a resource that is not a URI',
    ['--grant', 'client_credentials', '--resource', 'notes'],
    /not an absolute URI/,
  ],
  [
    'a scope not on its resources',
    ['--grant', 'client_credentials', '--resource', API, '--scope', 'admin'],
    /"admin" is not defined/,
  ],
  [
    'a public client with client_credentials',
    ['--grant', 'client_credentials', '--public'],
    /public client/,
  ],
  ['refresh_token alone', ['--grant', 'refresh_token'], /authorization_code/],
];

for (const [what, args, message] of refusals) {
  test.serial(`refuses ${what} with one line, exit 1, and writes nothing`, async (t) => {
    const before = await counts();
    const result = await cli(database, ['clients', 'create', '--name', `bad-${what}`, ...args]);
    t.is(result.code, 1);
    t.regex(result.stderr, message);
    t.is(result.stderr.trim().split('\n').length, 1, result.stderr);
    t.is(result.stdout, '');
    t.deepEqual(await counts(), before);
  });
}

test.serial('a duplicate name, in any case, is refused', async (t) => {
  const args = ['--grant', 'client_credentials', '--resource', API];
  t.is((await cli(database, ['clients', 'create', '--name', 'Reports', ...args])).code, 0);
  const before = await counts();
  const again = await cli(database, ['clients', 'create', '--name', 'REPORTS', ...args]);
  t.is(again.code, 1);
  t.regex(again.stderr, /already exists/);
  t.deepEqual(await counts(), before);
});

test.serial('missing required options are a usage error (exit 2)', async (t) => {
  const result = await cli(database, ['clients', 'create', '--grant', 'client_credentials']);
  t.is(result.code, 2);
  t.regex(result.stderr, /--name/);
});
