import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import { formAction, HttpBrowser, inputValue, type Stack, startStack } from '../src/index.ts';

// What the operator does with `portcullis clients ...` reaches a running server: disabled clients
// are refused (tokens, refresh, introspection), updates and lifetimes apply within a second, use
// is recorded, and deletion takes the client's grants with it.

const REDIRECT = 'https://app.example.test/callback';
const PASSWORD = 'correct horse battery staple';

let database: TestDatabase;
let stack: Stack;

interface Created {
  client_id: string;
  client_secret?: string;
}

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  await stack.cli(['users', 'create', '--username', 'alice', '--password-stdin'], `${PASSWORD}\n`);
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

const insecure = { execute: [client.allowInsecureRequests] };

/** A first-party client-credentials service with the given extra `clients create` options. */
async function service(name: string, args: string[] = []) {
  const created = await stack.cli<Created>([
    'clients',
    'create',
    '--name',
    name,
    '--grant',
    'client_credentials',
    '--resource',
    stack.api,
    '--scope',
    'notes:read',
    '--first-party',
    ...args,
  ]);
  const config = await client.discovery(
    new URL(stack.issuer),
    created.client_id,
    undefined,
    client.ClientSecretBasic(created.client_secret as string),
    insecure,
  );
  return { ...created, config };
}

/** The OAuth error of a failed request, or `ok`. */
async function outcome(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'ok';
  } catch (error) {
    if (error instanceof client.WWWAuthenticateChallengeError) {
      return error.cause[0]?.parameters.error ?? 'challenge';
    }
    if (error instanceof client.ResponseBodyError) return error.error;
    throw error;
  }
}

/**
 * Repeats `attempt` until it gives `expected`, for at most a second after the change: running
 * servers learn of the CLI's changes through LISTEN/NOTIFY, and must within a second.
 */
async function within1s(attempt: () => Promise<string>, expected: string): Promise<string> {
  const changedAt = Date.now();
  let last = await attempt();
  while (last !== expected && Date.now() - changedAt < 1000) last = await attempt();
  return last;
}

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString()) as {
    iat: number;
    exp: number;
    scope?: string;
  };

/** Signs alice in (first-party: no consent page) and redeems the code; returns the tokens. */
async function signIn(config: client.Configuration, scope = 'openid offline_access notes:read') {
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope,
    ...(scope.includes('notes:') ? { resource: stack.api } : {}),
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    prompt: 'consent',
  });
  const browser = new HttpBrowser(stack.issuer);
  let step = await browser.follow(url.href);
  for (let i = 0; i < 3 && !step.left; i += 1) {
    const page = await step.response.text();
    const action = new URL(formAction(page) as string, step.url).href;
    const csrf = inputValue(page, 'csrf') as string;
    step = page.includes('name="password"')
      ? await browser.follow(action, { form: { csrf, username: 'alice', password: PASSWORD } })
      : await browser.follow(action, { form: { csrf, decision: 'approve' } });
  }
  if (!step.left) throw new Error(`no redirect back: ${step.response.status}`);
  return client.authorizationCodeGrant(config, new URL(step.left), {
    pkceCodeVerifier: verifier,
  });
}

/** A first-party authorization-code client with refresh tokens; public with `--public`. */
async function webApp(name: string, args: string[] = []) {
  const created = await stack.cli<Created>([
    'clients',
    'create',
    '--name',
    name,
    '--grant',
    'authorization_code',
    'refresh_token',
    '--redirect-uri',
    REDIRECT,
    '--resource',
    stack.api,
    '--scope',
    'openid offline_access notes:read',
    '--first-party',
    ...args,
  ]);
  const config = await client.discovery(
    new URL(stack.issuer),
    created.client_id,
    undefined,
    created.client_secret ? client.ClientSecretBasic(created.client_secret) : client.None(),
    insecure,
  );
  return { ...created, config };
}

test('a disabled client gets no token and cannot introspect; enabled again it works', async (t) => {
  const svc = await service('disable-me');
  const token = await client.clientCredentialsGrant(svc.config, { resource: stack.api });
  const request = () => outcome(client.clientCredentialsGrant(svc.config, { resource: stack.api }));
  const introspect = () => outcome(client.tokenIntrospection(svc.config, token.access_token));
  t.is(await introspect(), 'ok');

  await stack.cli(['clients', 'disable', svc.client_id]);
  t.is(await within1s(request, 'invalid_client'), 'invalid_client');
  t.is(await introspect(), 'invalid_client');

  await stack.cli(['clients', 'enable', svc.client_id]);
  t.is(await within1s(request, 'ok'), 'ok');
  t.is(await introspect(), 'ok');
});

test('a disabled public client cannot refresh; enabled again its grant still works', async (t) => {
  const app = await webApp('public-refresher', ['--public']);
  const tokens = await signIn(app.config);
  t.truthy(tokens.refresh_token);
  const refreshed = await client.refreshTokenGrant(app.config, tokens.refresh_token as string);

  const signedIn = await signIn(app.config, 'openid');
  const userinfo = () =>
    outcome(client.fetchUserInfo(app.config, signedIn.access_token, client.skipSubjectCheck));
  t.is(await userinfo(), 'ok');

  await stack.cli(['clients', 'disable', app.client_id]);
  // Until the server learns of the change, a refresh is still answered, and rotates the token:
  // wait with a request that uses nothing up, then refresh once the server knows.
  t.is(await within1s(userinfo, 'invalid_token'), 'invalid_token', 'userinfo refuses its tokens');
  const refresh = () =>
    outcome(client.refreshTokenGrant(app.config, refreshed.refresh_token as string));
  t.is(await refresh(), 'invalid_client');
  // A new authorization request gets an error page, never a redirect to the client.
  const authorize = await fetch(
    client.buildAuthorizationUrl(app.config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    }),
    { redirect: 'manual' },
  );
  t.is(authorize.status, 400);
  t.is(authorize.headers.get('location'), null);

  await stack.cli(['clients', 'enable', app.client_id]);
  t.is(await within1s(refresh, 'ok'), 'ok', 'the refused attempts did not use up the token');
});

test('a scope granted by update is usable within a second', async (t) => {
  const svc = await service('scope-widened');
  const write = () =>
    outcome(
      client.clientCredentialsGrant(svc.config, { resource: stack.api, scope: 'notes:write' }),
    );
  t.is(await write(), 'invalid_scope');
  await stack.cli(['clients', 'update', svc.client_id, '--scope', 'notes:read notes:write']);
  t.is(await within1s(write, 'ok'), 'ok');
});

test("access tokens live for the client's own lifetime, else the resource's", async (t) => {
  const short = await service('short-lived', ['--access-token-ttl', '2m']);
  const lifetime = async () => {
    const { access_token } = await client.clientCredentialsGrant(short.config, {
      resource: stack.api,
    });
    const { iat, exp } = claimsOf(access_token);
    return String(exp - iat);
  };
  t.is(await lifetime(), '120');

  await stack.cli(['clients', 'update', short.client_id, '--no-access-token-ttl']);
  t.is(await within1s(lifetime, '600'), '600', "the resource's lifetime (600 s) again");

  await stack.cli(['clients', 'update', short.client_id, '--access-token-ttl', '1h']);
  t.is(await within1s(lifetime, '3600'), '3600');
});

test("refresh tokens live for the client's own lifetime; its grant at least as long", async (t) => {
  const app = await webApp('long-refresh', [
    '--refresh-token-ttl',
    '30d',
    '--access-token-ttl',
    '5m',
  ]);
  const tokens = await signIn(app.config);
  t.is(claimsOf(tokens.access_token).exp - claimsOf(tokens.access_token).iat, 300);
  const rows = await database
    .db('oidc_artifacts')
    .whereRaw(`payload->>'clientId' = ?`, [app.client_id])
    .whereIn('model', ['RefreshToken', 'Grant']);
  const lifetimeOf = (model: string) => {
    const expiresAt = rows.find((r) => r.model === model)?.expires_at as Date | undefined;
    return expiresAt && Math.round((expiresAt.getTime() - Date.now()) / 86_400_000);
  };
  t.is(lifetimeOf('RefreshToken'), 30);
  t.is(lifetimeOf('Grant'), 30);

  const introspected = await client.tokenIntrospection(app.config, tokens.refresh_token as string);
  t.true(introspected.active);
  t.is((introspected.exp as number) - (introspected.iat as number), 30 * 86_400);

  const rotated = await client.refreshTokenGrant(app.config, tokens.refresh_token as string);
  const again = await client.tokenIntrospection(app.config, rotated.refresh_token as string);
  t.is((again.exp as number) - (again.iat as number), 30 * 86_400, 'a rotated one gets it too');
});

test('use is recorded for the client and its secret, once a minute at most', async (t) => {
  const svc = await service('used');
  const lastUse = async () => {
    const [shown] = await stack
      .cli<Array<{ client_id: string; last_used_at: string | null }>>(['clients', 'list'])
      .then((list) => list.filter((c) => c.client_id === svc.client_id));
    const [secret] = await stack.cli<Array<{ last_used_at: string | null }>>([
      'clients',
      'secrets',
      svc.client_id,
    ]);
    return { client: shown?.last_used_at ?? null, secret: secret?.last_used_at ?? null };
  };
  t.deepEqual(await lastUse(), { client: null, secret: null });

  await client.clientCredentialsGrant(svc.config, { resource: stack.api });
  // Written off the request path: wait until it lands.
  let first = await lastUse();
  for (let i = 0; i < 100 && (!first.client || !first.secret); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    first = await lastUse();
  }
  t.truthy(first.client);
  t.truthy(first.secret);

  for (let i = 0; i < 10; i += 1) {
    await client.clientCredentialsGrant(svc.config, { resource: stack.api });
  }
  t.deepEqual(await lastUse(), first, 'no write per request');
});

test("deleting a client revokes its grants and tokens; another client's stay", async (t) => {
  const doomed = await webApp('doomed-app');
  const bystander = await webApp('bystander-app');
  const doomedTokens = await signIn(doomed.config);
  const bystanderTokens = await signIn(bystander.config);
  const artifactsOf = (clientId: string) =>
    database.db('oidc_artifacts').whereRaw(`payload->>'clientId' = ?`, [clientId]);
  t.true((await artifactsOf(doomed.client_id)).length > 0);

  await stack.cli(['clients', 'delete', doomed.client_id, '--yes']);
  t.deepEqual(await artifactsOf(doomed.client_id), []);
  const refresh = () =>
    outcome(client.refreshTokenGrant(doomed.config, doomedTokens.refresh_token as string));
  t.is(await within1s(refresh, 'invalid_client'), 'invalid_client');
  t.is(
    await outcome(
      client.refreshTokenGrant(bystander.config, bystanderTokens.refresh_token as string),
    ),
    'ok',
  );
});
