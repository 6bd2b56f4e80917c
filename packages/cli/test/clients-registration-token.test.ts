import { createDynamicRegistration } from '@portcullis/auth-server';
import { createTestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { type ClientJson, createService, exampleResourceDatabase } from './clients-fixtures.ts';
import {
  API,
  cli,
  cliJson,
  createExampleResource,
  failsWithOneLine,
  showsHelpWithExample,
} from './helpers.ts';

// `clients registration-token create|list|revoke` (initial access tokens for RFC 7591), and how
// `clients list` and `clients show` tell dynamically registered clients apart.

const database = exampleResourceDatabase();

interface TokenJson {
  id: string;
  token?: string;
  status: string;
  scope: string;
  resources: string[];
  max_uses: number | null;
  uses: number;
  expires_at: string | null;
  revoked_at: string | null;
  created_by: string;
}

const create = (args: string[] = []) =>
  cliJson<TokenJson>(database, ['clients', 'registration-token', 'create', ...args]);

test('create: one use, one day, shown once and stored only as a digest', async (t) => {
  const before = Date.now();
  const created = await create();
  t.regex(created.token ?? '', /^[\w-]{43}$/);
  t.is(created.status, 'live');
  t.is(created.max_uses, 1);
  t.is(created.uses, 0);
  const expires = Date.parse(created.expires_at as string) - before;
  t.true(expires >= 86_400_000 - 5000 && expires <= 86_400_000 + 5000, String(expires));
  const stored = JSON.stringify(await database.db('registration_tokens').select('*'));
  t.false(stored.includes(created.token as string));
  const event = await database
    .db('audit_events')
    .where({ type: 'registration_token.created' })
    .whereRaw(`details->>'registration_token' = ?`, [created.id])
    .first();
  t.truthy(event);
  t.false(JSON.stringify(event).includes(created.token as string));

  const text = await cli(database, ['clients', 'registration-token', 'create']);
  t.is(text.code, 0);
  t.regex(text.stdout, /^token: +[\w-]{43}$/m);
  t.regex(text.stdout, /shown only now/);
});

test('create with a policy, no expiry and no use limit', async (t) => {
  const created = await create([
    '--expires',
    'never',
    '--max-uses',
    'unlimited',
    '--resource',
    API,
    '--scope',
    'notes:read',
  ]);
  t.is(created.expires_at, null);
  t.is(created.max_uses, null);
  t.is(created.scope, 'notes:read');
  t.deepEqual(created.resources, [API]);
});

test('create refuses bad values with one line naming the flag', async (t) => {
  const refused = async (args: string[], why: RegExp) =>
    failsWithOneLine(
      t,
      await cli(database, ['clients', 'registration-token', 'create', ...args]),
      why,
    );
  await refused(['--expires', '10x'], /--expires "10x" is not a duration/);
  await refused(['--expires', '400d'], /--expires must be from 1m to 365d/);
  await refused(['--expires', '30s'], /--expires must be from 1m to 365d/);
  await refused(
    ['--max-uses', '0'],
    /--max-uses must be a whole number from 1 to 1000000, or unlimited/,
  );
  await refused(['--max-uses', 'lots'], /--max-uses must be a whole number/);
  await refused(
    ['--resource', 'https://unknown.example'],
    /unknown resource "https:\/\/unknown\.example"/,
  );
  await refused(
    ['--resource', API, '--scope', 'notes:delete'],
    /scope "notes:delete" is not defined on the token's resources$/m,
  );
  await refused(
    ['--scope', 'notes:read'],
    /scope "notes:read" is not defined on the token's resources$/m,
  );
  t.is(
    (await database.db('registration_tokens').where({ max_uses: 0 }).count({ n: '*' }))[0]?.n,
    '0',
  );
});

test('list shows every token by status, never a value; revoke ends one', async (t) => {
  const live = await create(['--max-uses', '3']);
  const revoked = await create();
  await cliJson(database, ['clients', 'registration-token', 'revoke', revoked.id]);
  // Revoking twice is fine and keeps the first time.
  const again = await cliJson<{ revoked_at: string }>(database, [
    'clients',
    'registration-token',
    'revoke',
    revoked.id,
  ]);
  t.truthy(again.revoked_at);
  const list = await cliJson<TokenJson[]>(database, ['clients', 'registration-token', 'list']);
  t.is(list.find((x) => x.id === live.id)?.status, 'live');
  t.is(list.find((x) => x.id === revoked.id)?.status, 'revoked');
  t.false(JSON.stringify(list).includes(live.token as string));
  t.true(list.every((x) => x.token === undefined));
  const table = await cli(database, ['clients', 'registration-token', 'list']);
  t.regex(table.stdout, /^ID +STATUS +USES +EXPIRES +SCOPE +RESOURCES$/m);
  t.regex(table.stdout, new RegExp(`^${live.id} +live +0/3 `, 'm'));
  t.regex(table.stdout, new RegExp(`^${revoked.id} +revoked `, 'm'));
  const events = await database.db('audit_events').where({ type: 'registration_token.revoked' });
  t.is(events.filter((e) => e.details.registration_token === revoked.id).length, 1);
});

test('revoke of an unknown token fails with one line', async (t) => {
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'registration-token', 'revoke', 'no-such-token']),
    /no initial access token with id "no-such-token"/,
  );
});

test('clients list --registered and clients show tell dynamic clients apart', async (t) => {
  const operator = await createService(database, 'operator made');
  const { token, id } = await create(['--resource', API, '--scope', 'notes:read']);
  const { client } = await createDynamicRegistration(database.db).register(
    token,
    { client_name: 'self made', redirect_uris: ['https://app.example.com/cb'] },
    { address: '192.0.2.1' },
  );
  const dynamic = await cliJson<ClientJson[]>(database, [
    'clients',
    'list',
    '--registered',
    'dynamic',
  ]);
  t.true(dynamic.some((c) => c.client_id === client.id));
  t.false(dynamic.some((c) => c.client_id === operator.client_id));
  const operators = await cliJson<ClientJson[]>(database, [
    'clients',
    'list',
    '--registered',
    'operator',
  ]);
  t.true(operators.some((c) => c.client_id === operator.client_id));
  t.false(operators.some((c) => c.client_id === client.id));
  const table = await cli(database, ['clients', 'list']);
  t.regex(table.stdout, new RegExp(`${client.id} +confidential, third-party, dynamic `));
  const shown = await cli(database, ['clients', 'show', client.id]);
  t.regex(
    shown.stdout,
    new RegExp(`^registered: +dynamically \\(RFC 7591\\) with initial access token ${id}$`, 'm'),
  );
  t.regex(
    (await cli(database, ['clients', 'show', operator.client_id])).stdout,
    /^registered: +by an operator$/m,
  );
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'list', '--registered', 'robot']),
    /argument 'robot' is invalid/,
    2,
  );
});

test('apply neither takes over nor prunes a self-registered client', async (t) => {
  // A database of its own: --prune would take the other tests' clients.
  const own = await createTestDatabase();
  t.teardown(() => own.drop());
  await createExampleResource(own);
  const { token } = await cliJson<TokenJson>(own, [
    'clients',
    'registration-token',
    'create',
    '--resource',
    API,
  ]);
  const { client } = await createDynamicRegistration(own.db).register(
    token,
    { client_name: 'squatter', redirect_uris: ['https://squat.example.com/cb'] },
    { address: '192.0.2.2' },
  );
  const resources = `resources:
  - identifier: ${API}
    name: Notes
    scopes:
      - name: notes:read
        description: Read your notes
      - name: notes:write
        description: Write your notes
`;
  const declare = (clients: string) =>
    cli(own, ['apply', '-f', '-', '--prune', '--yes'], `${resources}clients:${clients}`);
  const takeover = await declare(`
  - name: squatter
    grants: [client_credentials]
    resources: [${API}]
    first_party: true
`);
  t.is(takeover.code, 1, takeover.stdout);
  t.regex(takeover.stderr, /registered itself \(dynamic registration/);
  const kept = await cliJson<{ first_party: boolean }>(own, ['clients', 'show', client.id]);
  t.false(kept.first_party);
  const pruned = await declare(' []\n');
  t.is(pruned.code, 0, pruned.stderr);
  t.truthy(await own.db('clients').where({ id: client.id }).first(), 'still there');
});

test('help shows an example for each command', async (t) => {
  for (const command of ['create', 'list', 'revoke']) {
    await showsHelpWithExample(t, database, ['clients', 'registration-token', command]);
  }
});
