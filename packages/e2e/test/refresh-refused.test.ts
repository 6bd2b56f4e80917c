import { createAuditRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import {
  discoverClient,
  HttpBrowser,
  oauthError,
  type Stack,
  startStack,
  submitForm,
  until,
} from '../src/index.ts';

// A refused refresh must issue nothing and consume nothing (RFC 6749 §5.2; RFC 9700 §4.14.2
// invalidates a refresh token only when its successor is handed out): the same token works on
// the corrected retry, no reuse is recorded, and the grant lives on. oidc-provider rotates the
// token before it checks the resource, so these failures come after the consumption.

const REDIRECT = 'http://127.0.0.1:8771/callback';
const PASSWORD = 'refreshing-owner-password';
const OTHER_API = 'https://other-api.example/';
const SCOPE = 'openid offline_access notes:read';

/** A stack on a database of its own, with the user rita and a second API. */
interface Site {
  database: TestDatabase;
  stack: Stack;
}

async function startSite(env: Record<string, string>): Promise<Site> {
  const database = await createTestDatabase();
  const stack = await startStack(database.db, database.url, env);
  await stack.cli(['users', 'create', '--username', 'rita', '--password-stdin'], `${PASSWORD}\n`);
  await stack.cli([
    'resources',
    'create',
    '--identifier',
    OTHER_API,
    '--name',
    'Other API',
    '--scope',
    'other:read=Read the other things',
  ]);
  return { database, stack };
}

// After the grace window, reuse of a rotated token revokes the grant: `strict` has no window at
// all (so "after it" is at once), `graceful` the default one.
let strict: Site;
let graceful: Site;

test.before(async () => {
  [strict, graceful] = await Promise.all([
    startSite({ PORTCULLIS_REFRESH_REUSE_GRACE_SECONDS: '0' }),
    startSite({}),
  ]);
});
test.after.always(async () => {
  for (const site of [strict, graceful]) {
    await site?.stack.stop();
    await site?.database.drop();
  }
});

/**
 * Registers the app `name`, allowed both APIs (one per test, so that each test reads its own
 * audit events), and has rita authorise it for the notes API only.
 */
async function authorise(site: Site, name: string) {
  const app = await site.stack.cli<{ client_id: string; client_secret: string }>([
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
    site.stack.api,
    OTHER_API,
    '--scope',
    `${SCOPE} other:read`,
  ]);
  const config = await discoverClient(site.stack.issuer, app);
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: SCOPE,
    resource: site.stack.api,
    prompt: 'consent',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const browser = new HttpBrowser(site.stack.issuer);
  const login = await browser.follow(url.href);
  const { next: consent } = await submitForm(browser, login, {
    username: 'rita',
    password: PASSWORD,
  });
  const { next: back } = await submitForm(browser, consent, { decision: 'approve' });
  if (!back.left) throw new Error(`no redirect back: ${back.response.status}`);
  const tokens = await client.authorizationCodeGrant(config, new URL(back.left), {
    pkceCodeVerifier: verifier,
  });
  return { config, clientId: app.client_id, refreshToken: tokens.refresh_token as string };
}

/** The refresh-token reuses recorded for the client `clientId`. */
async function reuseEvents(site: Site, clientId: string): Promise<number> {
  const events = await createAuditRepository(site.database.db).list({ limit: 1000 });
  return events.filter((e) => e.type === 'refresh_token.reuse_detected' && e.clientId === clientId)
    .length;
}

/** The grant is alive: the refresh token refreshes, and so does the one it was rotated into. */
async function stillRefreshes(config: client.Configuration, refreshToken: string) {
  const next = await client.refreshTokenGrant(config, refreshToken);
  const after = await client.refreshTokenGrant(config, next.refresh_token as string);
  return Boolean(after.access_token);
}

for (const [name, site] of [
  ['within the grace window', () => graceful],
  ['with no grace window (a retry is after it)', () => strict],
] as const) {
  test(`a refresh for a resource the grant does not cover burns nothing, ${name}`, async (t) => {
    const { config, clientId, refreshToken } = await authorise(site(), `resource ${name}`);
    const refused = client.refreshTokenGrant(config, refreshToken, { resource: OTHER_API });
    t.is(await oauthError(refused), 'invalid_target');

    const retried = await client.refreshTokenGrant(config, refreshToken, {
      resource: site().stack.api,
    });
    t.truthy(retried.access_token, 'the corrected retry with the same token works');
    t.not(retried.refresh_token, refreshToken);
    t.true(await stillRefreshes(config, retried.refresh_token as string), 'the grant lives');
    t.is(await reuseEvents(site(), clientId), 0, 'no reuse was recorded');
  });
}

test('a refresh asking for a scope the token does not carry burns nothing', async (t) => {
  const { config, clientId, refreshToken } = await authorise(strict, 'scope');
  const refused = client.refreshTokenGrant(config, refreshToken, { scope: 'openid other:read' });
  t.is(await oauthError(refused), 'invalid_scope');
  t.true(await stillRefreshes(config, refreshToken));
  t.is(await reuseEvents(strict, clientId), 0);
});

test('a refresh refused while the client is disabled burns nothing', async (t) => {
  const { config, clientId, refreshToken } = await authorise(strict, 'disabled');
  // A made-up token tells when the servers see the change (the CLI notifies them) without
  // spending the real one: invalid_client while disabled, invalid_grant once enabled.
  const probe = () => oauthError(client.refreshTokenGrant(config, 'not-a-refresh-token'));
  await strict.stack.cli(['clients', 'disable', clientId]);
  await until('the disabled client is refused', async () => (await probe()) === 'invalid_client');
  t.is(await oauthError(client.refreshTokenGrant(config, refreshToken)), 'invalid_client');
  await strict.stack.cli(['clients', 'enable', clientId]);
  await until('the client is enabled again', async () => (await probe()) === 'invalid_grant');
  t.true(await stillRefreshes(config, refreshToken));
  t.is(await reuseEvents(strict, clientId), 0);
});
