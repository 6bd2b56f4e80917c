import { verifyClientSecret } from '@portcullis/auth-server';
import test from 'ava';
import {
  auditOf,
  type ClientJson,
  cli,
  clientRow,
  cliJson,
  createResource,
  createService,
  createWebApp,
  exampleResourceDatabase,
  failsWithOneLine,
} from './clients-fixtures.ts';
import { API } from './helpers.ts';

const OTHER = 'https://other.example.test';

const database = exampleResourceDatabase(async () => {
  await createResource(database, OTHER, 'Other', 'other:read=Read other things');
});

type Updated = ClientJson & { changed: string[] };
const update = (client: string, args: string[]) =>
  cliJson<Updated>(database, ['clients', 'update', client, ...args]);

test('every field of a web app can be changed, and each change is reported', async (t) => {
  const app = await createWebApp(database, 'Web App');
  const steps: Array<[string[], string[], Partial<ClientJson>]> = [
    [['--name', 'Web App 2'], ['name'], { name: 'Web App 2' }],
    [
      ['--redirect-uri', 'https://app.example.com/a', 'https://app.example.com/b'],
      ['redirect_uris'],
      { redirect_uris: ['https://app.example.com/a', 'https://app.example.com/b'] },
    ],
    [
      ['--resource', API, OTHER, '--scope', 'openid other:read'],
      ['scope', 'resources'],
      {
        resources: [API, OTHER],
        scope: 'openid other:read',
      },
    ],
    [['--first-party'], ['first_party'], { first_party: true }],
    [['--third-party'], ['first_party'], { first_party: false }],
    [
      ['--homepage', 'https://app.example.com', '--logo-uri', 'https://app.example.com/l.png'],
      ['homepage', 'logo_uri'],
      { homepage: 'https://app.example.com', logo_uri: 'https://app.example.com/l.png' },
    ],
    [
      ['--no-homepage', '--no-logo-uri'],
      ['homepage', 'logo_uri'],
      { homepage: null, logo_uri: null },
    ],
    [
      ['--access-token-ttl', '2m', '--refresh-token-ttl', '7d'],
      ['access_token_ttl', 'refresh_token_ttl'],
      { access_token_ttl: 120, refresh_token_ttl: 7 * 86_400 },
    ],
    [
      ['--no-access-token-ttl', '--no-refresh-token-ttl'],
      ['access_token_ttl', 'refresh_token_ttl'],
      { access_token_ttl: null, refresh_token_ttl: null },
    ],
    [['--grant', 'authorization_code'], ['grant_types'], { grant_types: ['authorization_code'] }],
    [['--no-scope'], ['scope'], { scope: '' }],
  ];
  for (const [args, changed, expected] of steps) {
    const result = await update(app.client_id, args);
    t.deepEqual(result.changed, changed, args.join(' '));
    t.like(result, expected, args.join(' '));
  }
  const shown = await cliJson<ClientJson>(database, ['clients', 'show', app.client_id]);
  t.like(shown, { name: 'Web App 2', grant_types: ['authorization_code'], scope: '' });
  t.true(Date.parse(shown.updated_at) > Date.parse(shown.created_at));

  const events = await auditOf(database, app.client_id);
  const updates = events.filter((e) => e.type === 'client.updated');
  t.is(updates.length, steps.length);
  t.deepEqual(updates[0]?.details, { changed: ['name'] });
  t.regex(updates[0]?.actor ?? '', /^cli:/);
});

test('human output names what changed', async (t) => {
  await createService(database, 'human-update');
  const result = await cli(database, [
    'clients',
    'update',
    'human-update',
    '--access-token-ttl',
    '1h',
  ]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^updated client "human-update" \(\S+\): access_token_ttl$/m);
  const again = await cli(database, [
    'clients',
    'update',
    'human-update',
    '--access-token-ttl',
    '60m',
  ]);
  t.regex(again.stdout, /nothing changed/);
});

test('setting what is already there changes nothing and records nothing', async (t) => {
  const svc = await createService(database, 'steady');
  const before = await clientRow(database, svc.client_id);
  const result = await update(svc.client_id, ['--scope', 'notes:read', '--resource', API]);
  t.deepEqual(result.changed, []);
  t.deepEqual(await clientRow(database, svc.client_id), before);
  t.deepEqual(
    (await auditOf(database, svc.client_id)).map((e) => e.type),
    ['client.created', 'client.secret_added'],
  );
});

test('a confidential client turned public loses its secrets; turned back it gets a new one', async (t) => {
  const app = await createWebApp(database, 'Switcher');
  const toPublic = await update(app.client_id, ['--public']);
  // A public client authenticates with none: its method changes with it.
  t.deepEqual(toPublic.changed, ['public', 'token_endpoint_auth_method']);
  t.is(toPublic.public, true);
  t.is(toPublic.client_secret, undefined);
  t.deepEqual(await database.db('client_secrets').where({ client_id: app.client_id }), []);

  const back = await update(app.client_id, ['--confidential']);
  t.is(back.public, false);
  t.is(typeof back.client_secret, 'string');
  const rows = await database.db('client_secrets').where({ client_id: app.client_id });
  t.is(rows.length, 1);
  t.true(verifyClientSecret(back.client_secret as string, rows[0].secret_hash));
  t.false(verifyClientSecret(app.client_secret as string, rows[0].secret_hash));
  const types = (await auditOf(database, app.client_id)).map((e) => e.type);
  t.deepEqual(types.slice(-3), ['client.updated', 'client.updated', 'client.secret_added']);
  t.false(
    JSON.stringify(await auditOf(database, app.client_id)).includes(back.client_secret as string),
  );
});

// The rules are create's own: each of these is refused by create too (clients-create.test.ts).
const refusals: Array<[string, string[], RegExp]> = [
  ['an unknown grant', ['--grant', 'password'], /unknown grant "password"/],
  ['a javascript: redirect URI', ['--redirect-uri', 'javascript:alert(1)'], /forbidden scheme/],
  ['plain http off loopback', ['--redirect-uri', 'http://app.example.com/cb'], /https/],
  [
    'removing every redirect URI of a code client',
    ['--no-redirect-uri'],
    // Was "authorization_code needs at least one --redirect-uri": the service's message now reads
    // after the field's name, which the CLI gives as its flag.
    /^portcullis: --redirect-uri is required by the authorization_code grant$/m,
  ],
  ['a scope not on its resources', ['--scope', 'other:read'], /"other:read" is not defined/],
  ['an unknown resource', ['--resource', 'https://nope.example'], /unknown resource/],
  ['a resource that is not a URI', ['--resource', 'notes'], /not an absolute URI/],
  ['refresh_token alone', ['--grant', 'refresh_token'], /authorization_code/],
  [
    'a bad access-token lifetime',
    ['--access-token-ttl', '25h'],
    /--access-token-ttl must be from 1s to 1d/,
  ],
  ['a lifetime that is not a duration', ['--refresh-token-ttl', '1y'], /not a duration/],
  ['a homepage on plain http', ['--homepage', 'http://app.example.com'], /must use https/],
  ['a name with a control character', ['--name', 'bad\u0007name'], /control characters/],
  [
    'a public client with client_credentials',
    ['--grant', 'client_credentials', '--public'],
    /public client/,
  ],
  [
    'dropping refresh_token but keeping its lifetime',
    ['--grant', 'authorization_code'],
    /only for clients with the refresh_token grant/,
  ],
];

for (const [what, args, message] of refusals) {
  test(`refuses ${what} with one line, exit 1, and writes nothing`, async (t) => {
    const app = await createWebApp(database, `refuse ${what}`, ['--refresh-token-ttl', '30d']);
    const before = await clientRow(database, app.client_id);
    const audit = await auditOf(database, app.client_id);
    failsWithOneLine(
      t,
      await cli(database, ['clients', 'update', app.client_id, ...args]),
      message,
    );
    t.deepEqual(await clientRow(database, app.client_id), before);
    t.deepEqual(await auditOf(database, app.client_id), audit);
  });
}

test('a name taken by another client, in any case, is refused', async (t) => {
  await createService(database, 'Taken');
  const svc = await createService(database, 'Taker');
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'update', svc.client_id, '--name', 'TAKEN']),
    /already exists/,
  );
  t.is((await clientRow(database, svc.client_id))?.name, 'Taker');
});

test('usage errors: no option, contradicting options, no client (exit 2)', async (t) => {
  const svc = await createService(database, 'usage');
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'update', svc.client_id]),
    /nothing to change/,
    2,
  );
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'update', svc.client_id, '--public', '--confidential']),
    /cannot be used with/,
    2,
  );
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'update', svc.client_id, '--first-party', '--third-party']),
    /cannot be used with/,
    2,
  );
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'update', '--name', 'x']),
    /missing required argument/,
    2,
  );
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'update', 'nope', '--name', 'x']),
    /no client with id or name "nope"/,
  );
  const help = await cli(database, ['clients', 'update', '--help']);
  t.regex(help.stdout, /Examples:\n +\$ portcullis clients update/);
});
