import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { type Stack, startStack } from '../src/index.ts';

// Open dynamic registration (PORTCULLIS_REGISTRATION_OPEN_RESOURCES), what MCP clients use: a
// registration with no Authorization at all makes a third-party client for the open resources,
// its name suffixed, audited as anonymous and limited per address; a token that is wrong is
// still refused, never taken for an open registration.

const OPEN = 'https://mcp.example.test/mcp';
const REDIRECT = 'http://127.0.0.1:33418/callback';
let requests = 0;
// Each request from an address of its own unless a test says otherwise (the server trusts
// X-Forwarded-For here), so that only the limit test meets the limit.
const ownAddress = () => {
  requests += 1;
  return { 'x-forwarded-for': `10.1.${Math.floor(requests / 250)}.${(requests % 250) + 1}` };
};

let database: TestDatabase;
let stack: Stack;

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url, {
    PORTCULLIS_REGISTRATION: 'on',
    PORTCULLIS_REGISTRATION_OPEN_RESOURCES: OPEN,
    PORTCULLIS_TRUST_PROXY: 'true',
    PORTCULLIS_LIMIT_REGISTRATION_ADDRESS: '2/1h',
  });
  await stack.cli([
    'resources',
    'create',
    '--identifier',
    OPEN,
    '--name',
    'MCP tools',
    '--scope',
    'tools:call=Call the tools',
  ]);
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

async function register(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.issuer}/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...ownAddress(), ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

const mcpClient = (fields: Record<string, unknown> = {}) => ({
  client_name: 'Some MCP client',
  redirect_uris: [REDIRECT],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
  scope: 'tools:call',
  ...fields,
});

test('without Authorization: a public third-party client for the open resources, audited as anonymous', async (t) => {
  const registered = await register(mcpClient());
  t.is(registered.status, 201);
  t.is(registered.body.token_endpoint_auth_method, 'none');
  t.is(registered.body.client_secret, undefined);
  t.regex(String(registered.body.client_name), /^Some MCP client \([\w-]{8}\)$/);
  t.regex(String(registered.body.registration_access_token), /^[\w-]{43}$/);
  const shown = await stack.cli(['clients', 'show', String(registered.body.client_id)]);
  t.deepEqual(shown.resources, [OPEN]);
  t.is(shown.first_party, false);
  t.is(shown.registered_via, 'dynamic');
  t.is(shown.registration_token, null);
  const audit = await database
    .db('audit_events')
    .where({ type: 'client.created', client_id: registered.body.client_id })
    .first();
  t.is(audit?.actor, 'anonymous');
  t.is(audit?.details.registered_via, 'dynamic');
  t.truthy(audit?.address);
});

test('the same client_name twice: two clients, each with its own suffix', async (t) => {
  const first = await register(mcpClient());
  const second = await register(mcpClient());
  t.is(first.status, 201);
  t.is(second.status, 201);
  t.not(first.body.client_name, second.body.client_name);
});

test('a scope the open resources do not define, or another grant, is refused', async (t) => {
  const scope = await register(mcpClient({ scope: 'notes:read' }));
  t.is(scope.status, 400);
  t.is(scope.body.error, 'invalid_client_metadata');
  const grant = await register(mcpClient({ grant_types: ['client_credentials'] }));
  t.is(grant.status, 400);
  t.is(grant.body.error, 'invalid_client_metadata');
  const redirect = await register(mcpClient({ redirect_uris: ['http://evil.example/cb'] }));
  t.is(redirect.status, 400);
  t.is(redirect.body.error, 'invalid_redirect_uri');
});

test('an Authorization that is not a live initial access token is refused, not taken as open', async (t) => {
  for (const authorization of [
    'Basic dXNlcjpwYXNz',
    `Bearer ${randomBytes(32).toString('base64url')}`,
  ]) {
    const refused = await register(mcpClient(), { authorization });
    t.is(refused.status, 401, authorization.split(' ')[0]);
    t.is(refused.body.error, 'invalid_token');
  }
});

test('open registrations are limited per address: the third in the hour gets 429', async (t) => {
  const address = { 'x-forwarded-for': '198.51.100.23' };
  t.is((await register(mcpClient(), address)).status, 201);
  t.is((await register(mcpClient(), address)).status, 201);
  const refused = await register(mcpClient(), address);
  t.is(refused.status, 429);
  t.regex(refused.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  t.is(refused.body.error, 'invalid_request');
  const before = await database.db('clients').count<{ count: string }[]>('* as count');
  t.is((await register(mcpClient(), address)).status, 429, 'still refused, nothing written');
  const after = await database.db('clients').count<{ count: string }[]>('* as count');
  t.is(after[0]?.count, before[0]?.count);
  t.is((await register(mcpClient())).status, 201, 'another address is not limited');
});
