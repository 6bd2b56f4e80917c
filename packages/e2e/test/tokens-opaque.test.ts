import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createResourceServer } from '@portcullis/resource-server';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import Koa from 'koa';
import * as client from 'openid-client';
import { discoverClient, type Stack, startStack } from '../src/index.ts';

// An API whose resource issues opaque tokens, protected by @portcullis/resource-server in
// introspection mode: it authenticates at the introspection endpoint as its own client, which the
// resource names as an introspection client.
const REPORTS = 'https://reports.example.test';

interface Credentials {
  client_id: string;
  client_secret: string;
}

let database: TestDatabase;
let stack: Stack;
let reportsApi: Credentials;
let dashboard: Credentials;
let stranger: Credentials;
let aliceId: string;
let api: Server;
let apiUrl: string;

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  reportsApi = await stack.cli([
    'clients',
    'create',
    '--name',
    'reports-api',
    '--grant',
    'client_credentials',
  ]);
  await stack.cli([
    'resources',
    'create',
    '--identifier',
    REPORTS,
    '--name',
    'Reports',
    '--scope',
    'reports:read=Read reports',
    '--scope',
    'reports:write=Write reports',
    '--format',
    'opaque',
    '--access-token-ttl',
    '15m',
    '--introspection-client',
    reportsApi.client_id,
  ]);
  dashboard = await stack.cli([
    'clients',
    'create',
    '--name',
    'dashboard',
    '--grant',
    'client_credentials',
    '--resource',
    REPORTS,
    '--scope',
    'reports:read',
  ]);
  stranger = await stack.cli([
    'clients',
    'create',
    '--name',
    'stranger',
    '--grant',
    'client_credentials',
    '--resource',
    stack.api,
    '--scope',
    'notes:read',
  ]);
  ({ id: aliceId } = await stack.cli<{ id: string }>(
    ['users', 'create', '--username', 'alice', '--password-stdin'],
    'correct horse battery staple\n',
  ));

  const rs = createResourceServer({
    issuer: stack.issuer,
    audience: REPORTS,
    // No answer is reused, so a revocation shows on the very next request.
    introspection: {
      clientId: reportsApi.client_id,
      clientSecret: reportsApi.client_secret,
      maxCacheSeconds: 0,
    },
  });
  const app = new Koa();
  app.use(rs.authenticate());
  app.use((ctx) => {
    const { auth } = ctx.state;
    ctx.body = {
      sub: auth.subject,
      client_id: auth.clientId,
      scope: [...auth.scopes].join(' '),
      token: auth.token,
    };
  });
  api = createServer(app.callback());
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
test.after.always(async () => {
  if (api) {
    api.closeAllConnections();
    await new Promise((resolve) => api.close(resolve));
  }
  await stack?.stop();
  await database?.drop();
});

const configFor = (credentials: Credentials) => discoverClient(stack.issuer, credentials);

const callApi = (token: string) => fetch(apiUrl, { headers: { authorization: `Bearer ${token}` } });

const clientCredentialsToken = async () =>
  client.clientCredentialsGrant(await configFor(dashboard), {
    resource: REPORTS,
    scope: 'reports:read',
  });

const issue = (args: string[]) =>
  stack.cli<{ access_token: string; grant_id: string; expires_in: number }>([
    'tokens',
    'issue',
    '--client',
    'dashboard',
    '--scope',
    'reports:read',
    '--resource',
    REPORTS,
    ...args,
  ]);

test('the resource sets the format and lifetime: client credentials gets an opaque 15-minute token', async (t) => {
  const response = await clientCredentialsToken();
  t.is(response.expires_in, 900);
  t.regex(response.access_token, /^[\w-]{43}$/, 'opaque, not a JWT');
  // Stored under the SHA-256 of its value (migration 0009), never the value itself.
  const id = createHash('sha256').update(response.access_token).digest('base64url');
  const stored = await database.db('oidc_artifacts').where({ id }).first();
  t.like(stored, { model: 'ClientCredentials' });
  t.like(stored.payload, { aud: REPORTS, scope: 'reports:read', clientId: dashboard.client_id });
});

test('introspection: active for the owner and the resource’s introspection client, inactive for others', async (t) => {
  const { access_token: token } = await clientCredentialsToken();
  const owner = await client.tokenIntrospection(await configFor(dashboard), token);
  t.like(owner, {
    active: true,
    client_id: dashboard.client_id,
    aud: REPORTS,
    scope: 'reports:read',
    token_type: 'Bearer',
    iss: stack.issuer,
  });
  const resourceServer = await client.tokenIntrospection(await configFor(reportsApi), token);
  t.like(resourceServer, { active: true, client_id: dashboard.client_id, aud: REPORTS });
  t.deepEqual(await client.tokenIntrospection(await configFor(stranger), token), { active: false });
});

test('the resource server in introspection mode accepts the opaque token', async (t) => {
  const { access_token: token } = await clientCredentialsToken();
  const response = await callApi(token);
  t.is(response.status, 200);
  t.deepEqual(await response.json(), {
    sub: dashboard.client_id,
    client_id: dashboard.client_id,
    scope: 'reports:read',
    token: 'opaque',
  });
  const forged = await callApi(`${token.slice(0, -2)}xx`);
  t.is(forged.status, 401);
  t.regex(forged.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
});

test('an operator-issued token for a user works at the API, with the user as subject', async (t) => {
  const issued = await issue(['--user', 'alice', '--ttl', '90d']);
  t.is(issued.expires_in, 90 * 86_400);
  const response = await callApi(issued.access_token);
  t.is(response.status, 200);
  t.deepEqual(await response.json(), {
    sub: aliceId,
    client_id: dashboard.client_id,
    scope: 'reports:read',
    token: 'opaque',
  });
  const answer = await client.tokenIntrospection(await configFor(reportsApi), issued.access_token);
  t.like(answer, { active: true, sub: aliceId });
  const lifetime = (answer.exp as number) - (answer.iat as number);
  t.is(lifetime, 90 * 86_400);
});

test('tokens revoke --grant: the API refuses the token on the next request', async (t) => {
  const issued = await issue([]);
  t.is((await callApi(issued.access_token)).status, 200);
  await stack.cli(['tokens', 'revoke', '--grant', issued.grant_id]);
  const refused = await callApi(issued.access_token);
  t.is(refused.status, 401);
  t.regex(refused.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  t.deepEqual(await client.tokenIntrospection(await configFor(dashboard), issued.access_token), {
    active: false,
  });
});

test.serial('tokens revoke --client ends the client credentials tokens too', async (t) => {
  const { access_token: token } = await clientCredentialsToken();
  const issued = await issue([]);
  const result = await stack.cli<{ total: number }>(['tokens', 'revoke', '--client', 'stranger']);
  t.is(result.total, 0, 'another client: nothing of dashboard revoked');
  t.is((await callApi(token)).status, 200);
  await stack.cli(['tokens', 'revoke', '--client', 'dashboard']);
  t.is((await callApi(token)).status, 401);
  t.is((await callApi(issued.access_token)).status, 401);
});

test('the owning client revokes an operator token at the revocation endpoint (RFC 7009)', async (t) => {
  const issued = await issue([]);
  // Another client's revocation is answered 200 and revokes nothing.
  await client.tokenRevocation(await configFor(stranger), issued.access_token);
  t.is((await callApi(issued.access_token)).status, 200);
  await client.tokenRevocation(await configFor(dashboard), issued.access_token);
  t.is((await callApi(issued.access_token)).status, 401);
});

test('a disabled client’s opaque tokens are inactive for the API, with or without a user', async (t) => {
  const kiosk = await stack.cli<Credentials>([
    'clients',
    'create',
    '--name',
    'kiosk',
    '--grant',
    'client_credentials',
    '--resource',
    REPORTS,
    '--scope',
    'reports:read',
  ]);
  const { access_token: serviceToken } = await client.clientCredentialsGrant(
    await configFor(kiosk),
    { resource: REPORTS, scope: 'reports:read' },
  );
  const { access_token: userToken } = await stack.cli<{ access_token: string }>([
    'tokens',
    'issue',
    '--client',
    'kiosk',
    '--user',
    'alice',
    '--scope',
    'reports:read',
    '--resource',
    REPORTS,
  ]);
  for (const token of [serviceToken, userToken]) t.is((await callApi(token)).status, 200);

  await stack.cli(['clients', 'disable', 'kiosk']);
  // Running servers see the change within a second.
  const deadline = Date.now() + 1000;
  while ((await callApi(serviceToken)).status === 200 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const token of [serviceToken, userToken]) {
    const refused = await callApi(token);
    t.is(refused.status, 401);
    t.regex(refused.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    t.deepEqual(await client.tokenIntrospection(await configFor(reportsApi), token), {
      active: false,
    });
  }
});
