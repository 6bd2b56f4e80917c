import type { Server } from 'node:http';
import { startExampleApi } from '@portcullis/example-api';
import {
  type AuthenticatedState,
  actedBy,
  createResourceServer,
  permit,
} from '@portcullis/resource-server';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import Koa from 'koa';
import * as client from 'openid-client';
import {
  createCodeClient,
  discoverClient,
  HttpBrowser,
  oauthError,
  type Stack,
  startStack,
  submitForm,
  until,
} from '../src/index.ts';

// Token exchange (RFC 8693, issue 14 item 2): a user signs in to the first-party web app, which
// calls the orders API; the orders service (the orders API's introspection client) exchanges the
// user's token for one for the notes API (the example API) and calls it as the user, with
// itself in `act`. Then every refusal.

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const ORDERS = 'https://orders.example.com';
const LEDGER = 'https://ledger.example.com';
const VAULT = 'https://vault.example.com';
const REDIRECT = 'http://127.0.0.1:8791/callback';
const PASSWORD = 'exchange-test-password';

type Credentials = { client_id: string; client_secret: string };

let database: TestDatabase;
let stack: Stack;
let web: Credentials;
let orders: Credentials;
let notesService: Credentials;
let ordersApi: { server: Server; url: string };

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  const cli = stack.cli;
  // The orders API carries notes scopes too: what the user grants the web app is the ceiling of
  // what any service may ask for on the user's behalf later.
  await cli([
    'resources',
    'create',
    '--identifier',
    ORDERS,
    '--name',
    'Orders',
    '--scope',
    'orders:read=See your orders',
    '--scope',
    'notes:read=Read your notes',
    '--scope',
    'notes:write=Write your notes',
  ]);
  await cli([
    'resources',
    'create',
    '--identifier',
    LEDGER,
    '--name',
    'Ledger',
    '--format',
    'opaque',
    '--scope',
    'notes:read=Read your notes',
  ]);
  // An API that takes opaque tokens, which the orders service serves too.
  await cli([
    'resources',
    'create',
    '--identifier',
    VAULT,
    '--name',
    'Vault',
    '--format',
    'opaque',
    '--scope',
    'notes:read=Read your notes',
  ]);
  for (const username of ['ada', 'bob', 'cy']) {
    await cli(['users', 'create', '--username', username, '--password-stdin'], PASSWORD);
  }
  web = await createCodeClient(stack, 'web', REDIRECT, 'openid orders:read notes:read', [
    '--resource',
    ORDERS,
    '--first-party',
  ]);
  orders = await service('orders-service', ['--first-party']);
  await cli(['resources', 'update', ORDERS, '--introspection-client', orders.client_id]);
  await cli(['resources', 'update', VAULT, '--introspection-client', orders.client_id]);
  await cli(['clients', 'update', 'orders-service', '--may-exchange-for', stack.api, LEDGER]);
  // The notes API's own service, for the second link of a chain.
  notesService = await service('notes-service', ['--first-party']);
  await cli(['resources', 'update', stack.api, '--introspection-client', notesService.client_id]);
  await cli(['clients', 'update', 'notes-service', '--may-exchange-for', ORDERS]);
  ordersApi = await startOrdersApi();
});
test.after.always(async () => {
  ordersApi?.server.close();
  await stack?.stop();
  await database?.drop();
});

// The orders API on the resource-server library, for the second link of a chain: `/actor` shows
// the chain, `/from-notes` admits only tokens the notes service acts with.
async function startOrdersApi() {
  const rs = createResourceServer({ issuer: stack.issuer, audience: ORDERS });
  const fromNotes = permit(actedBy(notesService.client_id));
  const koa = new Koa<AuthenticatedState>();
  koa.use(rs.authenticate());
  koa.use(async (ctx, next) => {
    if (ctx.path === '/from-notes') await fromNotes(ctx, next);
    else await next();
  });
  koa.use((ctx) => {
    ctx.body = { sub: ctx.state.auth.subject, actor: ctx.state.auth.actor };
  });
  const port = await freePort();
  const server = koa.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return { server, url: `http://127.0.0.1:${port}` };
}

const callOrders = (path: string, token: string) =>
  fetch(`${ordersApi.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

// A confidential client-credentials client allowed the notes scopes of every resource here.
function service(name: string, args: string[] = []): Promise<Credentials> {
  return stack.cli([
    'clients',
    'create',
    '--name',
    name,
    '--grant',
    'client_credentials',
    '--resource',
    stack.api,
    ORDERS,
    LEDGER,
    '--scope',
    'notes:read notes:write orders:read',
    ...args,
  ]);
}

/** `username` signs in to `app` (first-party: no consent page); its tokens for `resource`. */
async function signIn(app: Credentials, username: string, scope: string, resource = ORDERS) {
  const browser = new HttpBrowser(stack.issuer);
  const config = await discoverClient(stack.issuer, app);
  const pkce = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope,
    resource,
    code_challenge: await client.calculatePKCECodeChallenge(pkce),
    code_challenge_method: 'S256',
  });
  let step = await browser.follow(url.href);
  if (!step.left) {
    step = (await submitForm(browser, step, { username, password: PASSWORD })).next;
  }
  return client.authorizationCodeGrant(config, new URL(step.left as string), {
    pkceCodeVerifier: pkce,
  });
}

/** `caller` exchanges `subjectToken` (RFC 8693) with `extra` parameters laid over the usual. */
async function exchange(
  caller: Credentials,
  subjectToken: string,
  extra: Record<string, string> = {},
) {
  const config = await discoverClient(stack.issuer, caller);
  const parameters: Record<string, string> = {
    subject_token: subjectToken,
    subject_token_type: ACCESS_TOKEN,
    resource: stack.api,
    ...extra,
  };
  for (const [name, value] of Object.entries(parameters)) {
    if (value === '') delete parameters[name];
  }
  return client.genericGrantRequest(config, EXCHANGE, parameters);
}

const userToken = async (username = 'ada', scope = 'openid orders:read notes:read') =>
  (await signIn(web, username, scope)).access_token;

test.serial('discovery lists the grant type', async (t) => {
  const metadata = (await (
    await fetch(`${stack.issuer}/.well-known/oauth-authorization-server`)
  ).json()) as { grant_types_supported: string[] };
  t.true(metadata.grant_types_supported.includes(EXCHANGE));
});

test.serial(
  'the orders service calls the notes API as the user, with itself as the actor',
  async (t) => {
    const subject = await userToken();
    const ada = decodeJwt(subject).sub;
    const issued = await exchange(orders, subject, { scope: 'notes:read' });
    t.is(issued.token_type.toLowerCase(), 'bearer');
    t.is((issued as { issued_token_type?: string }).issued_token_type, ACCESS_TOKEN);
    t.is(issued.scope, 'notes:read');

    const claims = decodeJwt(issued.access_token);
    t.is(claims.sub, ada);
    t.is(claims.client_id, orders.client_id);
    t.is(claims.aud, stack.api);
    t.deepEqual(claims.act, { sub: orders.client_id });
    t.true((claims.exp ?? 0) <= (decodeJwt(subject).exp ?? 0), 'never outlives the subject');

    // The notes API (the example API, on the resource-server library) takes it as the user's.
    const me = await fetch(`${stack.api}/me`, {
      headers: { authorization: `Bearer ${issued.access_token}` },
    });
    t.is(me.status, 200);
    t.deepEqual(await me.json(), {
      sub: ada,
      client_id: orders.client_id,
      scope: 'notes:read',
      actor: [orders.client_id],
    });
    const notes = await fetch(`${stack.api}/notes`, {
      headers: { authorization: `Bearer ${issued.access_token}` },
    });
    t.is(notes.status, 200);

    // Without a scope parameter: every scope the narrowing leaves.
    const all = await exchange(orders, subject);
    t.is(all.scope, 'notes:read');

    const events = await database.db('audit_events').where({ type: 'token.exchanged' });
    const event = events.find((e) => e.client_id === orders.client_id);
    t.like(event, { actor: `client:${orders.client_id}`, subject: ada });
    t.like(event?.details, {
      resource: stack.api,
      scope: 'notes:read',
      actors: [orders.client_id],
    });
    const stored = JSON.stringify(events);
    t.false(stored.includes(subject) || stored.includes(issued.access_token), 'no token values');
  },
);

test.serial('a chain: the notes service exchanges the exchanged token, act nested', async (t) => {
  const own = await userToken();
  const first = await exchange(orders, own);
  const second = await exchange(notesService, first.access_token, { resource: ORDERS });
  const claims = decodeJwt(second.access_token);
  // Every link names the user's grant, for the revocation feed.
  t.truthy(decodeJwt(own).grant_id);
  t.is(decodeJwt(first.access_token).grant_id, decodeJwt(own).grant_id);
  t.is(claims.grant_id, decodeJwt(own).grant_id);
  t.is(claims.sub, decodeJwt(first.access_token).sub);
  t.is(claims.client_id, notesService.client_id);
  t.deepEqual(claims.act, { sub: notesService.client_id, act: { sub: orders.client_id } });

  // The orders API (the library) sees the chain, and its actedBy rule admits the notes service.
  const seen = await callOrders('/from-notes', second.access_token);
  t.is(seen.status, 200);
  t.deepEqual(await seen.json(), {
    sub: claims.sub,
    actor: [notesService.client_id, orders.client_id],
  });
  // The user's own token for the orders API has no actor, and the rule refuses it.
  t.deepEqual(await (await callOrders('/actor', own)).json(), { sub: claims.sub, actor: [] });
  t.is((await callOrders('/from-notes', own)).status, 403);
});

test.serial('introspection of an exchanged opaque token shows act', async (t) => {
  const issued = await exchange(orders, await userToken(), { resource: LEDGER });
  t.is(issued.access_token.split('.').length, 1, 'the ledger takes opaque tokens');
  const config = await discoverClient(stack.issuer, orders);
  const seen = await client.tokenIntrospection(config, issued.access_token);
  t.true(seen.active);
  t.deepEqual(seen.act, { sub: orders.client_id });
  t.is(seen.aud, LEDGER);
});

test.serial(
  'an opaque subject token: exchanged while its grant lives, refused after',
  async (t) => {
    const vaultWeb = await createCodeClient(stack, 'vault web', REDIRECT, 'openid notes:read', [
      '--resource',
      VAULT,
      '--first-party',
    ]);
    const subject = (await signIn(vaultWeb, 'cy', 'openid notes:read', VAULT)).access_token;
    t.is(subject.split('.').length, 1, 'the vault takes opaque tokens');
    const issued = await exchange(orders, subject);
    const claims = decodeJwt(issued.access_token);
    t.is(claims.aud, stack.api);
    t.deepEqual(claims.act, { sub: orders.client_id });
    t.is(issued.scope, 'notes:read');

    await stack.cli(['tokens', 'revoke', '--user', 'cy', '--client', 'vault web']);
    t.is(await oauthError(exchange(orders, subject)), 'invalid_request');
    t.is(await oauthError(exchange(orders, 'x'.repeat(43))), 'invalid_request');
  },
);

test.serial(
  'a role-gated scope of the target passes only while the user holds the role',
  async (t) => {
    const audit = 'https://audit.example.com';
    await stack.cli([
      'resources',
      'create',
      '--identifier',
      audit,
      '--name',
      'Audit',
      '--scope',
      'notes:read=Read your notes',
      '--role-gated',
      'notes:read',
    ]);
    await stack.cli([
      'clients',
      'update',
      'orders-service',
      '--may-exchange-for',
      stack.api,
      LEDGER,
      audit,
    ]);
    await stack.cli(['roles', 'create', 'auditor', '--scope', `${audit} notes:read`]);
    const subject = await userToken();
    t.is(await oauthError(exchange(orders, subject, { resource: audit })), 'invalid_scope');
    await stack.cli(['users', 'add-role', 'ada', 'auditor']);
    const issued = await exchange(orders, subject, { resource: audit });
    t.is(issued.scope, 'notes:read');
    await stack.cli(['users', 'remove-role', 'ada', 'auditor']);
    t.is(await oauthError(exchange(orders, subject, { resource: audit })), 'invalid_scope');
  },
);

test.serial('refused: a client not allowed the resource, or allowed none', async (t) => {
  const subject = await userToken();
  t.is(await oauthError(exchange(orders, subject, { resource: ORDERS })), 'invalid_target');
  t.is(
    await oauthError(exchange(orders, subject, { resource: 'https://nowhere.example.com' })),
    'invalid_target',
  );
  t.is(await oauthError(exchange(orders, subject, { resource: '' })), 'invalid_target');
  t.is(
    await oauthError(exchange(orders, subject, { resource: '', audience: stack.api })),
    'invalid_target',
  );
  // Two resources at once: one token is for one API.
  const config = await discoverClient(stack.issuer, orders);
  const twice = new URLSearchParams({ subject_token: subject, subject_token_type: ACCESS_TOKEN });
  twice.append('resource', stack.api);
  twice.append('resource', LEDGER);
  t.is(await oauthError(client.genericGrantRequest(config, EXCHANGE, twice)), 'invalid_request');
  const plain = await service('plain-service', ['--first-party']);
  await stack.cli([
    'resources',
    'update',
    ORDERS,
    '--introspection-client',
    orders.client_id,
    plain.client_id,
  ]);
  t.is(await oauthError(exchange(plain, subject)), 'unauthorized_client');
  const refused = await database.db('audit_events').where({ type: 'token.exchange_refused' });
  t.true(
    refused.some(
      (e) => e.client_id === plain.client_id && e.details.error === 'unauthorized_client',
    ),
  );
});

test.serial('refused: a public client', async (t) => {
  const spa = await createCodeClient(stack, 'spa', REDIRECT, 'openid notes:read', ['--public']);
  const config = await client.discovery(
    new URL(stack.issuer),
    spa.client_id,
    undefined,
    client.None(),
    {
      execute: [client.allowInsecureRequests],
    },
  );
  const work = client.genericGrantRequest(config, EXCHANGE, {
    subject_token: await userToken(),
    subject_token_type: ACCESS_TOKEN,
    resource: stack.api,
  });
  t.is(await oauthError(work), 'unauthorized_client');
});

test.serial('refused: a widened scope', async (t) => {
  // The user granted notes:read only; notes:write is the client's and the resource's, not the user's.
  const subject = await userToken();
  t.is(await oauthError(exchange(orders, subject, { scope: 'notes:write' })), 'invalid_scope');
  t.is(
    await oauthError(exchange(orders, subject, { scope: 'notes:read orders:read' })),
    'invalid_scope',
  );
  // A token with no scope the notes API has: nothing to hand on.
  const ordersOnly = await userToken('ada', 'openid orders:read');
  t.is(await oauthError(exchange(orders, ordersOnly)), 'invalid_scope');
});

test.serial('refused: tampered, foreign, expired and other kinds of subject token', async (t) => {
  const subject = await userToken();
  const [header, payload, signature] = subject.split('.');
  const widened = Buffer.from(
    JSON.stringify({ ...decodeJwt(subject), scope: 'notes:read notes:write' }),
  ).toString('base64url');
  t.is(await oauthError(exchange(orders, `${header}.${widened}.${signature}`)), 'invalid_request');
  t.is(
    await oauthError(exchange(orders, `${header}.${payload}.${signature?.slice(0, -4)}AAAA`)),
    'invalid_request',
  );

  // The same claims under a key of someone else's.
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = (await exportJWK(publicKey)).x;
  const forged = await new SignJWT(decodeJwt(subject))
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: kid ?? 'k' })
    .sign(privateKey);
  t.is(await oauthError(exchange(orders, forged)), 'invalid_request');

  // A genuine token, but for an API the orders service does not serve (the notes API).
  const forNotes = (await signIn(web, 'ada', 'openid notes:read', stack.api)).access_token;
  t.is(await oauthError(exchange(orders, forNotes)), 'invalid_request');

  // The ID token, and a wrong subject_token_type.
  const tokens = await signIn(web, 'ada', 'openid orders:read notes:read');
  t.is(await oauthError(exchange(orders, tokens.id_token as string)), 'invalid_request');
  t.is(
    await oauthError(
      exchange(orders, subject, {
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      }),
    ),
    'invalid_request',
  );
  t.is(await oauthError(exchange(orders, subject, { subject_token_type: '' })), 'invalid_request');
  t.is(await oauthError(exchange(orders, '')), 'invalid_request');
  // An actor token: the authenticated client is the actor.
  t.is(
    await oauthError(
      exchange(orders, subject, { actor_token: subject, actor_token_type: ACCESS_TOKEN }),
    ),
    'invalid_request',
  );
  // Impersonation is not offered: only access tokens are issued, always with act.
  t.is(
    await oauthError(
      exchange(orders, subject, {
        requested_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      }),
    ),
    'invalid_request',
  );

  // Expired: a web app whose tokens live one second.
  const brief = await createCodeClient(stack, 'brief', REDIRECT, 'openid notes:read', [
    '--resource',
    ORDERS,
    '--first-party',
    '--access-token-ttl',
    '1s',
  ]);
  const short = (await signIn(brief, 'ada', 'openid notes:read')).access_token;
  const expiresAt = (decodeJwt(short).exp ?? 0) * 1000;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 1100));
  t.is(await oauthError(exchange(orders, short)), 'invalid_request');
});

test.serial(
  'an API following the revocation feed refuses the exchanged token once the user grant goes',
  async (t) => {
    const api = await startExampleApi({
      issuer: stack.issuer,
      audience: stack.api,
      port: await freePort(),
      revocationFeed: {
        clientId: notesService.client_id,
        clientSecret: notesService.client_secret,
      },
    });
    t.teardown(() => api.close());
    await stack.cli(['users', 'create', '--username', 'dee', '--password-stdin'], PASSWORD);
    const exchanged = (await exchange(orders, await userToken('dee'))).access_token;
    const me = () => fetch(`${api.url}/me`, { headers: { authorization: `Bearer ${exchanged}` } });
    t.is((await me()).status, 200);
    await stack.cli(['tokens', 'revoke', '--user', 'dee', '--client', 'web']);
    await until('the API refuses the exchanged token', async () => (await me()).status === 401, 2);
    const refused = await me();
    t.is(refused.status, 401);
    t.regex(refused.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  },
);

test.serial('refused: a token whose grant was revoked or whose user was disabled', async (t) => {
  const subject = await userToken('bob');
  const exchanged = await exchange(orders, subject);
  await stack.cli(['tokens', 'revoke', '--user', 'bob', '--client', 'web']);
  t.is(await oauthError(exchange(orders, subject)), 'invalid_request');
  // The next link of the chain too: the exchanged token names the revoked grant.
  t.is(
    await oauthError(exchange(notesService, exchanged.access_token, { resource: ORDERS })),
    'invalid_request',
  );

  const again = await userToken('bob');
  await stack.cli(['users', 'disable', 'bob']);
  t.is(await oauthError(exchange(orders, again)), 'invalid_request');
});
