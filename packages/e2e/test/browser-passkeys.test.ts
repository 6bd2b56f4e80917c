import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@portcullis/storage/testing';
import test, { type ExecutionContext } from 'ava';
import * as client from 'openid-client';
import type { BrowserContext, Page } from 'playwright-core';
import {
  accessibilityProblems,
  type BrowserStack,
  createCodeClient,
  discoverClient,
  screenshot,
  startBrowserStack,
  tabTo as tabUntil,
} from '../src/index.ts';

// Passkeys in Chromium (issue 13, item 1) with the DevTools protocol's virtual authenticator (a
// platform authenticator: CTAP2, internal transport, resident keys, user verification): one
// added on /account, used as the second factor of an app's sign-in, then alone (passwordless)
// for a real openid-client app, removed, and refused once removed. Every page is checked by axe,
// used with the keyboard only and photographed for the docs. The issuer is on `localhost`: a
// WebAuthn relying party is a host name, never an IP address.
const PASSWORD = 'a-long-enough-password';
const PHONE = { width: 480, height: 800 };

let running: BrowserStack;
let issuer = '';
let callback: Server;
let redirectUri = '';
let app: { client_id: string; client_secret: string };
let context: BrowserContext;
let page: Page;

test.before(async () => {
  const port = await freePort();
  issuer = `http://localhost:${port}`;
  running = await startBrowserStack({ PORTCULLIS_PORT: String(port), PORTCULLIS_ISSUER: issuer });
  await running.stack.cli(
    ['users', 'create', '--username', 'pia', '--password-stdin'],
    `${PASSWORD}\n`,
  );
  callback = createServer((_, response) => response.end('done'));
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
  app = await createCodeClient(running.stack, 'Notes Viewer', redirectUri, 'openid', [
    '--first-party',
  ]);
  // One page for the whole story: the virtual authenticator belongs to it, and keeps the
  // passkey (a resident key) across sign-outs, as a laptop would.
  context = await running.browser.newContext({ viewport: PHONE });
  page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
});
test.after.always(async () => {
  callback?.closeAllConnections();
  callback?.close();
  await running?.stop();
});

async function checkPage(t: ExecutionContext, title: string) {
  // The page the last key press led to: the one before may still be showing for a moment.
  for (let i = 0; i < 100 && (await page.title()) !== `${title} · Portcullis`; i += 1) {
    await sleep(50);
  }
  await page.locator('h1').waitFor();
  t.is(await page.title(), `${title} · Portcullis`);
  t.deepEqual(await accessibilityProblems(page), [], title);
}

/** Presses Tab until the element named `name` has the focus in the test's page. */
const tabTo = (name: string) => tabUntil(page, name, 30);

async function typePassword() {
  await page.getByLabel('Username', { exact: true }).focus();
  await page.keyboard.type('pia');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
}

/** Starts an app's sign-in; a new browser session unless `keepSession`. */
async function startApp(options: { keepSession?: boolean; acrValues?: string } = {}) {
  const config = await discoverClient(issuer, app);
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...(options.acrValues ? { acr_values: options.acrValues } : {}),
  });
  if (!options.keepSession) await context.clearCookies();
  const response = await page.goto(url.href);
  return { config, verifier, response };
}

async function finishApp(started: Awaited<ReturnType<typeof startApp>>) {
  await page.waitForURL((u) => u.href.startsWith(redirectUri));
  const tokens = await client.authorizationCodeGrant(started.config, new URL(page.url()), {
    pkceCodeVerifier: started.verifier,
  });
  return tokens.claims() as { amr?: string[]; acr?: string; sub: string };
}

const audit = (type: string) =>
  running.database.db('audit_events').where({ type }).orderBy('id', 'desc');

test.serial('adding a passkey on /account: named, listed with its dates', async (t) => {
  await page.goto(`${issuer}/account`);
  await typePassword();
  await page.getByText('Signed in as').waitFor();
  await checkPage(t, 'Your apps');
  t.true(await page.getByText('No passkey yet').isVisible());
  await tabTo('Add a passkey');
  await page.keyboard.press('Enter');
  await checkPage(t, 'Add a passkey');
  await screenshot(page, 'passkeys-add.png');
  await tabTo('passkey-name');
  await page.keyboard.type('Work laptop');
  await page.keyboard.press('Enter');
  // Her first second factor: ten recovery codes come with it, shown once.
  await checkPage(t, 'Your recovery codes');
  t.is(await page.locator('ul.recovery code').count(), 10);
  await tabTo('I saved them, continue');
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === '/account');
  await page.getByText('Work laptop', { exact: true }).waitFor();
  await checkPage(t, 'Your apps');
  const today = new Date().toISOString().slice(0, 10);
  t.true(await page.getByText(`Added on ${today}, last used never.`).isVisible());
  t.true(await page.getByText('On with your passkeys').isVisible(), 'a passkey is the second step');
  t.true(await page.getByText('Recovery codes left: 10.').isVisible());
  await screenshot(page, 'passkeys-account.png');
  const [added] = await audit('passkey.added');
  t.like(added?.details, { name: 'Work laptop', username: 'pia', recovery_codes_issued: 10 });
  const [row] = await running.database.db('user_factors').where({ kind: 'passkey' });
  t.deepEqual(row.transports, ['internal']);
  t.is(row.secret, '');
});

test.serial(
  'step-up: a session signed in with the password alone gets the passkey step only',
  async (t) => {
    // /account's session from the test before: the password alone (no factor then).
    const started = await startApp({ keepSession: true, acrValues: 'urn:portcullis:acr:mfa' });
    await checkPage(t, 'Enter your code');
    t.is(await page.getByLabel('Password', { exact: true }).count(), 0, 'no password again');
    await tabTo('Use a passkey');
    await page.keyboard.press('Enter');
    const claims = await finishApp(started);
    t.deepEqual(claims.amr, ['pwd', 'pop', 'user']);
    t.is(claims.acr, 'urn:portcullis:acr:mfa');
  },
);

test.serial('an app sign-in: the password, then the passkey as the second step', async (t) => {
  const started = await startApp();
  const policy = started.response?.headers()['content-security-policy'] ?? '';
  t.regex(policy, /script-src 'self'$/);
  t.notRegex(policy, /unsafe/);
  await typePassword();
  await checkPage(t, 'Enter your code');
  // No app: the code field asks for a recovery code only, the passkey is the other way on.
  t.is(
    await page.locator('#code-hint').textContent(),
    'One of your recovery codes, if you cannot use your passkey.',
  );
  await screenshot(page, 'passkeys-second-factor.png');
  await tabTo('Use a passkey');
  await page.keyboard.press('Enter');
  const claims = await finishApp(started);
  t.deepEqual(claims.amr, ['pwd', 'pop', 'user']);
  t.is(claims.acr, 'urn:portcullis:acr:mfa');
  const [used] = await audit('passkey.used');
  t.like(used?.details, { purpose: 'second_factor' });
});

test.serial('passwordless: "Sign in with a passkey" completes the app’s sign-in', async (t) => {
  const started = await startApp();
  await checkPage(t, 'Sign in');
  await screenshot(page, 'passkeys-login.png');
  await tabTo('Sign in with a passkey');
  await page.keyboard.press('Enter');
  const claims = await finishApp(started);
  t.deepEqual(claims.amr, ['pop', 'user']);
  t.is(claims.acr, 'urn:portcullis:acr:mfa');
  const [used] = await audit('passkey.used');
  t.like(used?.details, { purpose: 'passwordless', user_verified: true });
});

test.serial(
  '/account’s own "Sign in with a passkey": signed in without the password',
  async (t) => {
    await context.clearCookies();
    await page.goto(`${issuer}/account`);
    await checkPage(t, 'Sign in');
    await tabTo('Sign in with a passkey');
    await page.keyboard.press('Enter');
    await page.getByText('Signed in as').waitFor();
    await checkPage(t, 'Your apps');
    const [signedIn] = await audit('signin.succeeded');
    t.like(signedIn?.details, { via: 'account', amr: ['pop', 'user'] });
  },
);

test.serial('a signature counter that went back is refused and audited', async (t) => {
  const passkeys = () => running.database.db('user_factors').where({ kind: 'passkey' });
  const [before] = await passkeys();
  // As if a clone of the authenticator had signed in many times since.
  await passkeys().update({ sign_count: 1_000_000 });
  await startApp();
  await tabTo('Sign in with a passkey');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').waitFor();
  await checkPage(t, 'Sign in');
  t.like((await audit('passkey.counter_regressed'))[0]?.details, { stored_count: 1_000_000 });
  t.like((await audit('signin.failed'))[0]?.details, { step: 'passkey', reason: 'counter' });
  t.is(Number((await passkeys())[0]?.sign_count), 1_000_000, 'the stored counter is kept');
  await passkeys().update({ sign_count: before?.sign_count });
});

test.serial('without JavaScript the login page offers only the password', async (t) => {
  const noScript = await running.browser.newContext({ javaScriptEnabled: false });
  const other = await noScript.newPage();
  await other.goto(`${issuer}/account`);
  t.true(await other.getByLabel('Password', { exact: true }).isVisible());
  t.false(await other.getByRole('button', { name: 'Sign in with a passkey' }).isVisible());
  await noScript.close();
});

test.serial('removing the passkey asks first; a removed passkey is refused', async (t) => {
  await context.clearCookies();
  await page.goto(`${issuer}/account`);
  await typePassword();
  await checkPage(t, 'Enter your code');
  await tabTo('Use a passkey');
  await page.keyboard.press('Enter');
  await page.getByText('Signed in as').waitFor();
  await tabTo('Remove Work laptop');
  await page.keyboard.press('Enter');
  await checkPage(t, 'Remove this passkey');
  await screenshot(page, 'passkeys-remove.png');
  await tabTo('Remove the passkey');
  await page.keyboard.press('Enter');
  await page.getByText('No passkey yet').waitFor();
  await checkPage(t, 'Your apps');
  t.like((await audit('passkey.removed'))[0]?.details, { name: 'Work laptop' });

  // The authenticator still holds it: offered at the login page, it no longer signs in.
  await startApp();
  await checkPage(t, 'Sign in');
  await tabTo('Sign in with a passkey');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').waitFor();
  await checkPage(t, 'Sign in');
  t.regex((await page.getByRole('alert').textContent()) ?? '', /The passkey was not accepted/);
  t.like((await audit('signin.failed'))[0]?.details, { step: 'passkey', reason: 'unknown' });
});
