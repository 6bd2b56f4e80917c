import { createHash } from 'node:crypto';
import test from 'ava';
import {
  API,
  cli,
  cliJson,
  createResource,
  createService,
  exampleResourceDatabase,
} from './clients-fixtures.ts';

let clientId: string;
let aliceId: string;
const OTHER = 'https://other.example';

const database = exampleResourceDatabase(async () => {
  await createResource(database, OTHER, 'Other', 'other:read=Other');
  ({ client_id: clientId } = await createService(database, 'reporting'));
  const alice = await cli(
    database,
    ['users', 'create', '--username', 'alice', '--password-stdin', '--json'],
    'correct horse battery staple\n',
  );
  ({ id: aliceId } = JSON.parse(alice.stdout) as { id: string });
});

const issue = (...extra: string[]) =>
  cli(database, [
    'tokens',
    'issue',
    '--client',
    'reporting',
    '--scope',
    'notes:read',
    '--resource',
    API,
    ...extra,
  ]);

test('issues an opaque token, stored as oidc-provider stores an opaque access token', async (t) => {
  const before = Date.now();
  const issued = await cliJson(database, [
    'tokens',
    'issue',
    '--client',
    'reporting',
    '--user',
    'alice',
    '--scope',
    'notes:read',
    '--resource',
    API,
    '--ttl',
    '30d',
  ]);
  t.like(issued, {
    token_type: 'Bearer',
    expires_in: 30 * 86_400,
    scope: 'notes:read',
    resource: API,
    client_id: clientId,
    sub: aliceId,
  });
  const token = issued.access_token as string;
  t.regex(token, /^[\w-]{43}$/, '256 random bits, base64url: not a JWT');
  const expiresAt = Date.parse(String(issued.expires_at));
  t.true(Math.abs(expiresAt - (before + 30 * 86_400_000)) < 5_000);

  const row = await database
    .db('oidc_artifacts')
    // Stored under the SHA-256 of its value, and the value is not in the payload (migration 0009).
    .where({ model: 'AccessToken', id: createHash('sha256').update(token).digest('base64url') })
    .first();
  t.false('jti' in row.payload);
  t.like(row.payload, {
    kind: 'AccessToken',
    clientId,
    accountId: aliceId,
    aud: API,
    scope: 'notes:read',
    grantId: issued.grant_id,
  });
  t.is(row.grant_id, issued.grant_id);
  t.is(row.payload.exp * 1000, expiresAt);
  // The row's expiry is the database's now() at the write plus the remaining lifetime in whole
  // seconds: the token's expiry within the write's delay (seconds on a loaded machine).
  t.true(Math.abs(row.expires_at.getTime() - expiresAt) < 5_000);
  const grant = await database
    .db('oidc_artifacts')
    .where({ model: 'Grant', id: issued.grant_id })
    .first();
  t.like(grant.payload, { clientId, accountId: aliceId, resources: { [API]: 'notes:read' } });
  t.is(grant.payload.exp * 1000, expiresAt, 'the grant lives exactly as long as the token');
});

test('the audit trail records the issue, never the token', async (t) => {
  const issued = await cliJson(database, [
    'tokens',
    'issue',
    '--client',
    clientId,
    '--scope',
    'notes:read',
    '--resource',
    API,
  ]);
  const event = await database
    .db('audit_events')
    .where({ type: 'token.issued' })
    .whereRaw(`details->>'grant_id' = ?`, [String(issued.grant_id)])
    .first();
  t.like(event, {
    client_id: clientId,
    subject: null,
    details: { resource: API, scope: 'notes:read', ttl: '90d' },
  });
  t.false(JSON.stringify(event).includes(String(issued.access_token)));
});

test('human output prints the token once, with how to revoke it', async (t) => {
  const result = await issue('--ttl', '12h');
  t.is(result.code, 0);
  const [token, , ...rest] = result.stdout.trim().split('\n');
  t.regex(token ?? '', /^[\w-]{43}$/);
  t.regex(rest.join('\n'), /portcullis tokens revoke --grant \S+/);
  t.regex(rest.join('\n'), /only time the token is shown/);
});

const refusals: Array<[string, string[], number, RegExp]> = [
  [
    'a scope the resource does not have',
    ['--client', 'reporting', '--scope', 'notes:admin', '--resource', API],
    1,
    /not a scope of/,
  ],
  [
    'a scope the client is not allowed',
    ['--client', 'reporting', '--scope', 'notes:write', '--resource', API],
    1,
    /not allowed the scope "notes:write"/,
  ],
  [
    'a resource the client is not allowed',
    ['--client', 'reporting', '--scope', 'other:read', '--resource', OTHER],
    1,
    /not allowed the resource/,
  ],
  [
    'an unknown resource',
    ['--client', 'reporting', '--scope', 'x', '--resource', 'https://none.example'],
    1,
    /no resource/,
  ],
  [
    'an unknown client',
    ['--client', 'nobody', '--scope', 'notes:read', '--resource', API],
    1,
    /no client/,
  ],
  [
    'an unknown user',
    ['--client', 'reporting', '--user', 'bob', '--scope', 'notes:read', '--resource', API],
    1,
    /no user/,
  ],
  [
    'a lifetime over a year',
    ['--client', 'reporting', '--scope', 'notes:read', '--resource', API, '--ttl', '400d'],
    1,
    /365 days/,
  ],
  [
    'a lifetime under a minute',
    ['--client', 'reporting', '--scope', 'notes:read', '--resource', API, '--ttl', '30s'],
    1,
    /1 minute/,
  ],
  [
    'a malformed lifetime',
    ['--client', 'reporting', '--scope', 'notes:read', '--resource', API, '--ttl', 'forever'],
    1,
    /lifetime/,
  ],
  [
    'a relative resource',
    ['--client', 'reporting', '--scope', 'notes:read', '--resource', '/api'],
    1,
    /absolute URI/,
  ],
  ['no scope', ['--client', 'reporting', '--resource', API], 2, /--scope/],
  ['no client', ['--scope', 'notes:read', '--resource', API], 2, /--client/],
  ['no resource', ['--client', 'reporting', '--scope', 'notes:read'], 2, /--resource/],
];

for (const [what, args, code, message] of refusals) {
  test.serial(`refuses ${what} (exit ${code}) and stores nothing`, async (t) => {
    const before = await database.db('oidc_artifacts').count({ n: '*' });
    const result = await cli(database, ['tokens', 'issue', ...args]);
    t.is(result.code, code);
    t.regex(result.stderr, message);
    t.is(result.stderr.trim().split('\n').length, 1);
    t.is(result.stdout, '');
    t.deepEqual(await database.db('oidc_artifacts').count({ n: '*' }), before);
  });
}

test.serial('a disabled client or user gets no token', async (t) => {
  await database
    .db('clients')
    .where({ id: clientId })
    .update({ disabled_at: database.db.fn.now() });
  const client = await issue();
  t.is(client.code, 1);
  t.regex(client.stderr, /client "reporting" is disabled/);
  await database.db('clients').where({ id: clientId }).update({ disabled_at: null });

  await database.db('users').where({ id: aliceId }).update({ disabled_at: database.db.fn.now() });
  const user = await issue('--user', 'alice');
  t.is(user.code, 1);
  t.regex(user.stderr, /user "alice" is disabled/);
  await database.db('users').where({ id: aliceId }).update({ disabled_at: null });
});

test('--help has an example', async (t) => {
  const result = await cli(database, ['tokens', 'issue', '--help']);
  t.regex(result.stdout, /Example:\n {2}\$ portcullis tokens issue/);
});
