import { type RunningExampleApi, startExampleApi } from '@portcullis/example-api';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import { discoverClient, type Stack, startStack, until } from '../src/index.ts';

// An operator token issued through the admin API (POST /admin/v1/tokens) and revoked through it
// (DELETE /admin/v1/tokens/{grant}) is refused by the example API, which introspects opaque tokens
// and keeps each answer for 60 s, once the revocation feed names the token's grant: the token
// carries `grant_id` as the server's own opaque tokens do. Without it, the API would keep
// accepting the token from its cached answer. The deadline is a correctness bound, not a speed
// measurement.

interface Credentials {
  client_id: string;
  client_secret: string;
}

let database: TestDatabase;
let stack: Stack;
let api: RunningExampleApi;
let admin: Credentials;
let reporting: Credentials;

// `clients create` of a client-credentials client, with `extra` options.
const serviceClient = (name: string, ...extra: string[]) =>
  stack.cli<Credentials>(
    `clients create --grant client_credentials --name ${name}`.split(' ').concat(extra),
  );

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url, { PORTCULLIS_ADMIN_API: 'on' });
  admin = await stack.cli(['admin', 'create-client', 'ops', '--scope', 'admin:write']);
  // The example API's own client: it introspects and reads the feed, as `dev` sets it up.
  const notesApi = await serviceClient('notes-api');
  await stack.cli(['resources', 'update', stack.api, '--introspection-client', notesApi.client_id]);
  reporting = await serviceClient('reporting', '--resource', stack.api, '--scope', 'notes:read');
  api = await startExampleApi({
    issuer: stack.issuer,
    audience: stack.api,
    port: await freePort(),
    introspection: {
      clientId: notesApi.client_id,
      clientSecret: notesApi.client_secret,
      maxCacheSeconds: 60,
    },
    revocationFeed: true,
  });
});
test.after.always(async () => {
  await api?.close();
  await stack?.stop();
  await database?.drop();
});

async function adminToken(): Promise<string> {
  const config = await discoverClient(stack.issuer, admin);
  const tokens = await client.clientCredentialsGrant(config, {
    scope: 'admin:write',
    resource: 'urn:portcullis:admin',
  });
  return tokens.access_token;
}

const me = (token: string) =>
  fetch(`${api.url}/me`, { headers: { authorization: `Bearer ${token}` } });

test('revoked through the admin API, an operator token is refused by the example API that cached it', async (t) => {
  const bearer = { authorization: `Bearer ${await adminToken()}` };
  const issued = await fetch(`${stack.issuer}/admin/v1/tokens`, {
    method: 'POST',
    headers: { ...bearer, 'content-type': 'application/json' },
    body: JSON.stringify({ client: 'reporting', scope: 'notes:read', resource: stack.api }),
  });
  t.is(issued.status, 201);
  const { access_token: token, grant_id: grant } = (await issued.json()) as {
    access_token: string;
    grant_id: string;
  };
  const before = await me(token);
  t.is(before.status, 200, 'accepted, and its introspection answer cached for 60 s');
  t.like(await before.json(), { client_id: reporting.client_id, scope: 'notes:read' });

  const revoked = await fetch(`${stack.issuer}/admin/v1/tokens/${grant}`, {
    method: 'DELETE',
    headers: bearer,
  });
  t.is(revoked.status, 200);
  let last: Response | undefined;
  await until(
    'the example API refuses the revoked token',
    async () => {
      await last?.body?.cancel();
      last = await me(token);
      return last.status === 401;
    },
    5,
  );
  t.regex(last?.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  await last?.body?.cancel();
});
