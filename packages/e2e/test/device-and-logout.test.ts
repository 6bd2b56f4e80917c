import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import { discoverClient, HttpBrowser, type Stack, startStack, submitForm } from '../src/index.ts';

const PASSWORD = 'device-owner-password';
const REDIRECT = 'http://127.0.0.1:8766/callback';

let database: TestDatabase;
let stack: Stack;

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  await stack.cli(['users', 'create', '--username', 'bob', '--password-stdin'], `${PASSWORD}\n`);
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

test('device flow: the TV shows a code, the user enters it, signs in, approves; the TV gets tokens', async (t) => {
  const tv = await stack.cli<{ client_id: string }>([
    'clients',
    'create',
    '--name',
    'Living-room TV',
    '--public',
    '--grant',
    'device_code',
    'refresh_token',
    '--scope',
    'openid profile offline_access',
  ]);
  const config = await client.discovery(
    new URL(stack.issuer),
    tv.client_id,
    undefined,
    client.None(),
    {
      execute: [client.allowInsecureRequests],
    },
  );
  const device = await client.initiateDeviceAuthorization(config, {
    scope: 'openid profile offline_access',
  });
  t.regex(device.user_code, /^[A-Z]{4}-[A-Z]{4}$/);

  const pending = await fetch(`${stack.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: device.device_code,
      client_id: tv.client_id,
    }),
  });
  t.is(((await pending.json()) as { error: string }).error, 'authorization_pending');

  const browser = new HttpBrowser(stack.issuer);
  const entry = await browser.follow(device.verification_uri);
  const { page: inputPage, next: confirm } = await submitForm(browser, entry, {
    user_code: device.user_code,
  });
  t.regex(inputPage, /<label for="user_code">/);
  const { page: confirmPage, next: login } = await submitForm(
    browser,
    confirm,
    {},
    'op.deviceConfirmForm',
  );
  t.regex(confirmPage, new RegExp(device.user_code));
  t.regex(confirmPage, /Living-room TV/);
  const { next: consent } = await submitForm(browser, login, {
    username: 'bob',
    password: PASSWORD,
  });
  const { next: done } = await submitForm(browser, consent, { decision: 'approve' });
  t.regex(await done.response.text(), /Device connected/);

  const tokens = await client.genericGrantRequest(
    config,
    'urn:ietf:params:oauth:grant-type:device_code',
    {
      device_code: device.device_code,
    },
  );
  t.truthy(tokens.access_token);
  t.truthy(tokens.refresh_token);
  // No API was asked for, so the access token is for userinfo, which carries the profile.
  const sub = tokens.claims()?.sub as string;
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, sub);
  t.is(userinfo.preferred_username, 'bob');
});

test('a wrong user code is refused on the page', async (t) => {
  const browser = new HttpBrowser(stack.issuer);
  const entry = await browser.follow(`${stack.issuer}/device`);
  const { next } = await submitForm(browser, entry, { user_code: 'WXYZ-WXYZ' });
  const page = await next.response.text();
  t.regex(page, /not valid or has expired/);
});

/** A client signing in with the authorization code flow (scope openid), and its request URL. */
async function openIdApp(name: string, options: string[] = []) {
  const app = await stack.cli<{ client_id: string; client_secret: string }>([
    'clients',
    'create',
    '--name',
    name,
    ...options,
    '--grant',
    'authorization_code',
    '--redirect-uri',
    REDIRECT,
    '--scope',
    'openid',
  ]);
  const config = await discoverClient(stack.issuer, app);
  const authorizeUrl = async () =>
    client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    }).href;
  return { config, authorizeUrl };
}

test('RP-initiated logout asks for confirmation, then ends the session', async (t) => {
  const { config, authorizeUrl } = await openIdApp('Logout App', ['--first-party']);
  const browser = new HttpBrowser(stack.issuer);
  const login = await browser.follow(await authorizeUrl());
  const { next: back } = await submitForm(browser, login, { username: 'bob', password: PASSWORD });
  t.truthy(back.left, 'signed in and sent back to the app');
  const silent = await browser.follow(await authorizeUrl());
  t.truthy(silent.left, 'the session signs in again without a page');

  const logout = await browser.follow(client.buildEndSessionUrl(config, {}).href);
  const { page, next: ended } = await submitForm(
    browser,
    logout,
    { logout: 'yes' },
    'op.logoutForm',
  );
  t.regex(page, /Sign out of/);
  t.regex(await ended.response.text(), /You are signed out/);
  const afterwards = await browser.follow(await authorizeUrl());
  t.is(afterwards.left, undefined);
  t.regex(await afterwards.response.text(), /name="password"/, 'the login page again');
});

test('a sign-in that starts with an anonymous session: logout confirmed before it or during it, the sign-in works', async (t) => {
  // Two apps: bob's approval of the first is remembered in any browser, so the second sign-in
  // would not reach a consent page with it.
  const apps = [await openIdApp('Third-party App'), await openIdApp('Another Third-party App')];
  const signIn = async (browser: HttpBrowser, { authorizeUrl } = apps[0] as (typeof apps)[0]) => {
    const login = await browser.follow(await authorizeUrl());
    const { next: consent } = await submitForm(browser, login, {
      username: 'bob',
      password: PASSWORD,
    });
    return consent;
  };
  const allow = async (browser: HttpBrowser, consent: { response: Response; url: string }) =>
    (await submitForm(browser, consent, { decision: 'approve' })).next;

  // Signed out, with scripting off: /session/end leaves its auto-submit form, and an anonymous
  // session holding what it would confirm.
  const before = new HttpBrowser(stack.issuer);
  const endBefore = await before.follow(`${stack.issuer}/session/end`);
  const { next: confirmed } = await submitForm(before, endBefore, { logout: 'yes' });
  t.regex(await confirmed.response.text(), /You are signed out/);
  const afterLogout = await allow(before, await signIn(before));
  t.regex(afterLogout.left ?? '', /[?&]code=/, 'logout confirmed first, then a sign-in: a code');

  // The same form confirmed in another tab while the sign-in is at the consent page.
  const during = new HttpBrowser(stack.issuer);
  const endDuring = await during.follow(`${stack.issuer}/session/end`);
  const consent = await signIn(during, apps[1]);
  await submitForm(during, endDuring, { logout: 'yes' });
  const afterConsent = await allow(during, consent);
  t.is(afterConsent.response.status, 303, await afterConsent.response.clone().text());
  t.regex(afterConsent.left ?? '', /[?&]code=/, 'the stale logout form ends nothing');
});
