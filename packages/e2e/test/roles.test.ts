import type { Server } from 'node:http';
import { allOf, createResourceServer, permit, role } from '@portcullis/resource-server';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { decodeJwt } from 'jose';
import Koa from 'koa';
import * as client from 'openid-client';
import {
  discoverClient,
  HttpBrowser,
  oauthError,
  type Stack,
  startStack,
  submitForm,
  withinOneSecond,
} from '../src/index.ts';

// Roles: scopes that depend on the user (issue 13, item 4). notes:admin is role-gated on the
// example API; the role notes-admin holds it; ada has the role, una has not. One third-party app
// asks both for notes:read and notes:admin.

const REDIRECT = 'http://127.0.0.1:8771/callback';
const PASSWORD = 'roles-test-password';
const ADMIN_DESCRIPTION = "Manage everyone's notes";

let database: TestDatabase;
let stack: Stack;
let app: { client_id: string; client_secret: string };
let verifier: Server;
let verifierUrl: string;

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  await stack.cli([
    'resources',
    'update',
    stack.api,
    '--scope',
    `notes:admin=${ADMIN_DESCRIPTION}`,
    '--role-gated',
    'notes:admin',
    '--roles-claim',
  ]);
  await stack.cli(['roles', 'create', 'notes-admin', '--scope', `${stack.api} notes:admin`]);
  for (const username of ['ada', 'una']) {
    await stack.cli(['users', 'create', '--username', username, '--password-stdin'], PASSWORD);
  }
  await stack.cli(['users', 'add-role', 'ada', 'notes-admin']);
  app = await stack.cli([
    'clients',
    'create',
    '--name',
    'Notes Console',
    '--grant',
    'authorization_code',
    'refresh_token',
    '--redirect-uri',
    REDIRECT,
    '--resource',
    stack.api,
    '--scope',
    'openid offline_access notes:read notes:admin',
  ]);
  verifier = await startVerifier();
});
test.after.always(async () => {
  verifier?.close();
  await stack?.stop();
  await database?.drop();
});

// An API protected by @portcullis/resource-server with the rules the guides show.
async function startVerifier(): Promise<Server> {
  const rs = createResourceServer({ issuer: stack.issuer, audience: stack.api });
  const routes: Record<string, ReturnType<typeof permit>> = {
    '/admin/by-role': permit(role('notes-admin')),
    '/admin/by-scope': permit(allOf('notes:admin')),
  };
  const koa = new Koa();
  koa.use(rs.authenticate());
  koa.use(async (ctx, next) => {
    const rule = routes[ctx.path];
    if (rule === undefined) ctx.status = 404;
    else await rule(ctx, next);
  });
  koa.use((ctx) => {
    ctx.body = { ok: true };
  });
  const port = await freePort();
  verifierUrl = `http://127.0.0.1:${port}`;
  const server = koa.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return server;
}

const statusAt = async (path: string, token: string) =>
  (await fetch(`${verifierUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })).status;

/** Signs `username` in from a new browser, approving any consent page; keeps the pages seen. */
async function signIn(username: string) {
  const browser = new HttpBrowser(stack.issuer);
  const config = await discoverClient(stack.issuer, app);
  const pkce = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid offline_access notes:read notes:admin',
    resource: stack.api,
    prompt: 'consent',
    code_challenge: await client.calculatePKCECodeChallenge(pkce),
    code_challenge_method: 'S256',
  });
  const consentPages: string[] = [];
  let step = await browser.follow(url.href);
  for (let i = 0; i < 3 && !step.left; i += 1) {
    const page = await step.response.clone().text();
    const login = page.includes('name="password"');
    if (!login) consentPages.push(page);
    step = (
      await submitForm(
        browser,
        step,
        login ? { username, password: PASSWORD } : { decision: 'approve' },
      )
    ).next;
  }
  const tokens = await client.authorizationCodeGrant(config, new URL(step.left as string), {
    pkceCodeVerifier: pkce,
  });
  return { config, consentPages, tokens };
}

const claimsOf = (token: string) => decodeJwt(token) as { scope?: string; roles?: unknown };
const scopesOf = (token: string) => (claimsOf(token).scope ?? '').split(' ').sort();

test.serial(
  'without the role: the consent page and the token leave the gated scope out',
  async (t) => {
    const { consentPages, tokens } = await signIn('una');
    t.is(consentPages.length, 1);
    t.regex(consentPages[0] ?? '', /notes:read/);
    t.notRegex(consentPages[0] ?? '', /notes:admin|Manage everyone/, 'not even offered');
    t.deepEqual(scopesOf(tokens.access_token), ['notes:read'], 'no error: just left out');
    t.deepEqual(claimsOf(tokens.access_token).roles, [], 'the roles claim is on, and empty');
    t.is(await statusAt('/admin/by-role', tokens.access_token), 403);
    t.is(await statusAt('/admin/by-scope', tokens.access_token), 403);
  },
);

test.serial('with the role: consented, granted, and the role in the token', async (t) => {
  const { consentPages, tokens } = await signIn('ada');
  t.regex(consentPages[0] ?? '', /Manage everyone(&#39;|&#x27;|')s notes/);
  t.regex(consentPages[0] ?? '', /notes:admin/);
  t.deepEqual(scopesOf(tokens.access_token), ['notes:admin', 'notes:read']);
  t.deepEqual(claimsOf(tokens.access_token).roles, ['notes-admin']);
  t.is(await statusAt('/admin/by-role', tokens.access_token), 200);
  t.is(await statusAt('/admin/by-scope', tokens.access_token), 200);
});

test.serial(
  'removing the role drops the scope at the next refresh; giving it back restores it',
  async (t) => {
    const { config, tokens } = await signIn('ada');
    await stack.cli(['users', 'remove-role', 'ada', 'notes-admin']);
    const without = await client.refreshTokenGrant(config, tokens.refresh_token as string);
    t.deepEqual(scopesOf(without.access_token), ['notes:read']);
    t.deepEqual(claimsOf(without.access_token).roles, []);
    t.is(await statusAt('/admin/by-role', without.access_token), 403);

    // The approval is the user's and stays in the grant: the role alone decides.
    await stack.cli(['users', 'add-role', 'ada', 'notes-admin']);
    const back = await client.refreshTokenGrant(config, without.refresh_token as string);
    t.deepEqual(scopesOf(back.access_token), ['notes:admin', 'notes:read']);
    t.deepEqual(claimsOf(back.access_token).roles, ['notes-admin']);
  },
);

test.serial(
  'an approved gated scope whose role is gone is not in the "already allowed" list nor the token',
  async (t) => {
    await signIn('ada');
    await stack.cli(['users', 'remove-role', 'ada', 'notes-admin']);
    try {
      // The app asks again (prompt=consent): the page lists what the user approved before.
      const { consentPages, tokens } = await signIn('ada');
      const page = consentPages[0] ?? '';
      t.regex(page, /You already allowed it to/);
      const already = page.slice(page.indexOf('You already allowed it to'));
      t.regex(already, /notes:read/);
      t.notRegex(page, /notes:admin|Manage everyone/, 'neither listed as allowed nor asked');
      t.deepEqual(scopesOf(tokens.access_token), ['notes:read']);
    } finally {
      await stack.cli(['users', 'add-role', 'ada', 'notes-admin']);
    }
    // The approval stays the user's: with the role back it is listed again.
    const { consentPages } = await signIn('ada');
    t.regex(consentPages[0] ?? '', /notes:admin/);
  },
);

test.serial('the roles claim is there only while the resource asks for it', async (t) => {
  const { config, tokens } = await signIn('ada');
  await stack.cli(['resources', 'update', stack.api, '--no-roles-claim']);
  let refresh = tokens.refresh_token as string;
  const off = await withinOneSecond(
    async () => {
      const next = await client.refreshTokenGrant(config, refresh);
      refresh = next.refresh_token as string;
      return claimsOf(next.access_token);
    },
    (claims) => !('roles' in claims),
  );
  t.false('roles' in off);
  t.regex(off.scope ?? '', /notes:admin/, 'the scope still comes from the role');
  await stack.cli(['resources', 'update', stack.api, '--roles-claim']);
});

test.serial(
  "client credentials: the client's allowed scopes decide, and no roles claim",
  async (t) => {
    const register = (name: string, scope: string) =>
      stack.cli<{ client_id: string; client_secret: string }>([
        'clients',
        'create',
        '--name',
        name,
        '--grant',
        'client_credentials',
        '--resource',
        stack.api,
        '--scope',
        scope,
      ]);
    const ops = await discoverClient(stack.issuer, await register('ops', 'notes:read notes:admin'));
    const batch = await discoverClient(stack.issuer, await register('batch', 'notes:read'));

    const allowed = await client.clientCredentialsGrant(ops, { scope: 'notes:admin' });
    t.deepEqual(scopesOf(allowed.access_token), ['notes:admin']);
    t.false('roles' in claimsOf(allowed.access_token), 'no user, no roles');
    t.is(await statusAt('/admin/by-scope', allowed.access_token), 200);
    t.is(await statusAt('/admin/by-role', allowed.access_token), 403);

    t.is(
      await oauthError(client.clientCredentialsGrant(batch, { scope: 'notes:admin' })),
      'invalid_scope',
    );
    const plain = await client.clientCredentialsGrant(batch, { scope: 'notes:read' });
    t.deepEqual(scopesOf(plain.access_token), ['notes:read']);
  },
);
