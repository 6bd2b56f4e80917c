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
  audit: Number((await database.db('audit_events').count({ n: '*' }))[0]?.n),
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
  [
    'an access-token lifetime that is not a duration',
    ['--grant', 'client_credentials', '--access-token-ttl', 'ten minutes'],
    /--access-token-ttl "ten minutes" is not a duration/,
  ],
  [
    'an access-token lifetime over a day',
    ['--grant', 'client_credentials', '--access-token-ttl', '2d'],
    /--access-token-ttl must be from 1s to 1d/,
  ],
  [
    'an access-token lifetime of zero',
    ['--grant', 'client_credentials', '--access-token-ttl', '0'],
    /--access-token-ttl must be from 1s/,
  ],
  [
    'a negative lifetime',
    ['--grant', 'client_credentials', '--access-token-ttl=-5m'],
    /not a duration/,
  ],
  [
    'a refresh-token lifetime without the refresh_token grant',
    ['--grant', 'client_credentials', '--refresh-token-ttl', '30d'],
    /only for clients with the refresh_token grant/,
  ],
  [
    'a refresh-token lifetime under a minute',
    [
      '--grant',
      'authorization_code',
      'refresh_token',
      '--redirect-uri',
      'https://a.example/cb',
      '--refresh-token-ttl',
      '30s',
    ],
    /--refresh-token-ttl must be from 1m to 365d/,
  ],
  [
    'a homepage on plain http',
    ['--grant', 'client_credentials', '--homepage', 'http://app.example.com'],
    /homepage .* must use https/,
  ],
  [
    'a javascript: logo',
    ['--grant', 'client_credentials', '--logo-uri', 'javascript:alert(1)'],
    /logo URI .* must use https/,
  ],
  ['an empty name', ['--grant', 'client_credentials'], /client name must be 1 to 100/],
];

for (const [what, args, message] of refusals) {
  test.serial(`refuses ${what} with one line, exit 1, and writes nothing`, async (t) => {
    const before = await counts();
    const name = what === 'an empty name' ? ' ' : `bad-${what}`;
    const result = await cli(database, ['clients', 'create', '--name', name, ...args]);
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

test.serial('every grant: a public device-code client with refresh tokens', async (t) => {
  const created = await cliJson<Record<string, unknown>>(database, [
    'clients',
    'create',
    '--name',
    'tv-app',
    '--grant',
    'device_code',
    'refresh_token',
    '--public',
    '--scope',
    'openid offline_access',
  ]);
  t.deepEqual(created.grant_types, [
    'urn:ietf:params:oauth:grant-type:device_code',
    'refresh_token',
  ]);
  t.is(created.client_secret, undefined);
  const byUrn = await cliJson<Record<string, unknown>>(database, [
    'clients',
    'create',
    '--name',
    'tv-app-2',
    '--grant',
    'urn:ietf:params:oauth:grant-type:device_code',
  ]);
  t.deepEqual(byUrn.grant_types, ['urn:ietf:params:oauth:grant-type:device_code']);
  t.is(typeof byUrn.client_secret, 'string', 'a confidential device client gets a secret');
});

test.serial('every field is stored: presentation, party and token lifetimes', async (t) => {
  const created = await cliJson<Record<string, unknown>>(database, [
    'clients',
    'create',
    '--name',
    'Partner App',
    '--grant',
    'authorization_code',
    'refresh_token',
    '--redirect-uri',
    'https://partner.example/cb',
    '--resource',
    API,
    '--scope',
    'openid offline_access notes:read',
    '--homepage',
    'https://partner.example',
    '--logo-uri',
    'https://partner.example/logo.png',
    '--access-token-ttl',
    '10m',
    '--refresh-token-ttl',
    '30d',
  ]);
  t.like(created, {
    name: 'Partner App',
    grant_types: ['authorization_code', 'refresh_token'],
    redirect_uris: ['https://partner.example/cb'],
    scope: 'openid offline_access notes:read',
    resources: [API],
    public: false,
    first_party: false,
    homepage: 'https://partner.example',
    logo_uri: 'https://partner.example/logo.png',
    access_token_ttl: 600,
    refresh_token_ttl: 30 * 86_400,
    disabled: false,
    last_used_at: null,
  });
  const human = await cli(database, ['clients', 'show', 'partner app']);
  t.regex(human.stdout, /type: +confidential, third-party/);
  t.regex(human.stdout, /access-token TTL: +10m/);
  t.regex(human.stdout, /refresh-token TTL: +30d/);
});

test.serial('a plain number of seconds is a lifetime too', async (t) => {
  const created = await cliJson<Record<string, unknown>>(database, [
    'clients',
    'create',
    '--name',
    'seconds',
    '--grant',
    'client_credentials',
    '--access-token-ttl',
    '90',
  ]);
  t.is(created.access_token_ttl, 90);
});

test.serial('creation is audited with the operator and never the secret', async (t) => {
  const result = await cli(database, [
    'clients',
    'create',
    '--name',
    'audited',
    '--grant',
    'client_credentials',
    '--json',
  ]);
  const created = JSON.parse(result.stdout) as { client_id: string; client_secret: string };
  const events = await database
    .db('audit_events')
    .where({ client_id: created.client_id })
    .orderBy('id');
  t.deepEqual(
    events.map((e) => e.type),
    ['client.created', 'client.secret_added'],
  );
  t.regex(events[0].actor, /^cli:/);
  t.deepEqual(events[0].details, { name: 'audited' });
  t.deepEqual(events[1].details, { secret: 'initial' });
  t.false(JSON.stringify(events).includes(created.client_secret));
});

test.serial('help shows every option with an example', async (t) => {
  const result = await cli(database, ['clients', 'create', '--help']);
  t.is(result.code, 0);
  for (const option of ['--access-token-ttl', '--refresh-token-ttl', '--homepage', '--public']) {
    t.true(result.stdout.includes(option), option);
  }
  t.regex(result.stdout, /Example:\n +\$ portcullis clients create/);
});
