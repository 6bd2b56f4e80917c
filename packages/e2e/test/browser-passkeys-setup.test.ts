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
  msUntilMidStep,
  screenshot,
  shownSeed,
  startBrowserStack,
  tabTo as tabUntil,
  totpCode,
} from '../src/index.ts';

// The passkeys follow-up (issue 13, item 1) in Chromium with the DevTools protocol's virtual
// authenticator: an app that requires a second factor (`--require-mfa`) offers a user with none
// a passkey as well as an app, and the sign-in goes on once it is made (without JavaScript, the
// app's setup still works); the recovery codes a first passkey comes with, used as the second
// step; renaming a passkey on /account. Every page is checked by axe and used with the
// keyboard only. The issuer is on `localhost`: a WebAuthn relying party is a host name.
const PASSWORD = 'a-long-enough-password';

let running: BrowserStack;
let issuer = '';
let context: BrowserContext;
let page: Page;
let callback: Server;
let redirectUri = '';
let app: { client_id: string; client_secret: string };
// ravi's recovery codes, shown when he made his passkey during the app's sign-in.
let raviCodes: string[] = [];
// The recovery codes tess was shown with her first passkey.
let tessCodes: string[] = [];

test.before(async () => {
  const port = await freePort();
  issuer = `http://localhost:${port}`;
  running = await startBrowserStack({ PORTCULLIS_PORT: String(port), PORTCULLIS_ISSUER: issuer });
  for (const username of ['tess', 'uma', 'ravi', 'sara']) {
    await running.stack.cli(
      ['users', 'create', '--username', username, '--password-stdin'],
      `${PASSWORD}\n`,
    );
  }
  callback = createServer((_, response) => response.end('done'));
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
  app = await createCodeClient(running.stack, 'Payroll', redirectUri, 'openid', [
    '--first-party',
    '--require-mfa',
  ]);
  context = await running.browser.newContext({ viewport: { width: 480, height: 800 } });
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

async function typePassword(username: string) {
  await page.getByLabel('Username', { exact: true }).focus();
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
}

/** Starts the app's sign-in in `on` (a new browser session). */
async function startApp(on: Page) {
  const config = await discoverClient(issuer, app);
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  await on.context().clearCookies();
  await on.goto(url.href);
  return { config, verifier };
}

async function finishApp(on: Page, started: Awaited<ReturnType<typeof startApp>>) {
  await on.waitForURL((u) => u.href.startsWith(redirectUri));
  const tokens = await client.authorizationCodeGrant(started.config, new URL(on.url()), {
    pkceCodeVerifier: started.verifier,
  });
  return tokens.claims() as { amr?: string[]; acr?: string; sub: string };
}

const audit = (type: string) =>
  running.database.db('audit_events').where({ type }).orderBy('id', 'desc');

test.serial(
  'an app that requires a second factor: a user with none makes a passkey instead of an app',
  async (t) => {
    const started = await startApp(page);
    await typePassword('ravi');
    await checkPage(t, 'Set up an authenticator app');
    t.true(await page.getByRole('heading', { name: 'Or use a passkey' }).isVisible());
    t.true(await page.getByLabel('Code from the app').isVisible(), 'the app is still offered');
    await screenshot(page, 'passkeys-setup.png');
    // Only spaces for a name: the browser makes the passkey, the server refuses it, nothing added.
    await tabTo('passkey-name');
    await page.keyboard.type('   ');
    await page.keyboard.press('Enter');
    await page.getByText('The passkey was not created').waitFor();
    await checkPage(t, 'Set up an authenticator app');
    t.is((await audit('passkey.added')).length, 0);

    await tabTo('passkey-name');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('Ravi’s phone');
    await page.keyboard.press('Enter');
    await checkPage(t, 'Your recovery codes');
    t.true(await page.getByText('Your passkey is added.').isVisible());
    raviCodes = await page.locator('ul.recovery code').allTextContents();
    t.is(raviCodes.length, 10);
    await tabTo('I saved them, continue');
    await page.keyboard.press('Enter');
    const claims = await finishApp(page, started);
    t.deepEqual(claims.amr, ['pwd', 'pop', 'user']);
    t.is(claims.acr, 'urn:portcullis:acr:mfa');
    const [added] = await audit('passkey.added');
    t.like(added?.details, { username: 'ravi', name: 'Ravi’s phone', recovery_codes_issued: 10 });
    const [signedIn] = await audit('signin.succeeded');
    t.like(signedIn?.details, { username: 'ravi', amr: ['pwd', 'pop', 'user'] });
    const factors = await running.database.db('user_factors').where({ user_id: claims.sub });
    t.deepEqual(
      factors.map((f) => [f.kind, f.label]),
      [['passkey', 'Ravi’s phone']],
      'no app enrolment left behind',
    );
  },
);

test.serial(
  'the next sign-in: the passkey, or a recovery code; the setup no longer offered',
  async (t) => {
    let started = await startApp(page);
    await typePassword('ravi');
    await checkPage(t, 'Enter your code');
    await tabTo('Use a passkey');
    await page.keyboard.press('Enter');
    t.deepEqual((await finishApp(page, started)).amr, ['pwd', 'pop', 'user']);

    started = await startApp(page);
    await typePassword('ravi');
    await checkPage(t, 'Enter your code');
    await page.keyboard.type(raviCodes[3] ?? '');
    await page.keyboard.press('Enter');
    const claims = await finishApp(page, started);
    t.deepEqual(claims.amr, ['pwd', 'otp']);
    t.is(claims.acr, 'urn:portcullis:acr:mfa');
    t.like((await audit('mfa.recovery_code_used'))[0]?.details, { recovery_codes_left: 9 });

    // A password alone never adds a factor to an account that has one: the setup's passkey
    // endpoint sends him back to the code step, and nothing is added.
    await startApp(page);
    await typePassword('ravi');
    await checkPage(t, 'Enter your code');
    const csrf = await page.locator('input[name="csrf"]').first().inputValue();
    const setupPath = new URL(`${new URL(page.url()).pathname}/mfa/setup/passkey`, issuer).href;
    const posted = await page.request.post(setupPath, {
      form: { csrf, name: 'Intruder', credential: '{}' },
      maxRedirects: 0,
    });
    t.is(posted.status(), 303);
    t.is(posted.headers().location, new URL(page.url()).pathname);
    t.is((await audit('passkey.added')).length, 1);
  },
);

test.serial(
  'without JavaScript the setup page offers the app alone, which still works',
  async (t) => {
    const noScript = await running.browser.newContext({ javaScriptEnabled: false });
    const other = await noScript.newPage();
    const started = await startApp(other);
    await other.getByLabel('Username', { exact: true }).fill('sara');
    await other.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await other.getByRole('button', { name: 'Sign in', exact: true }).click();
    await other.getByRole('heading', { name: 'Set up an authenticator app' }).waitFor();
    t.false(await other.getByRole('heading', { name: 'Or use a passkey' }).isVisible());
    t.false(await other.getByRole('button', { name: 'Create the passkey' }).isVisible());
    await sleep(msUntilMidStep());
    await other.getByLabel('Code from the app').fill(totpCode(shownSeed(await other.content())));
    await other.getByRole('button', { name: 'Turn on' }).click();
    await other.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    t.true(await other.getByText('Your authenticator app is set up.').isVisible());
    await other.getByRole('link', { name: 'I saved them, continue' }).click();
    t.deepEqual((await finishApp(other, started)).amr, ['pwd', 'otp']);
    await noScript.close();
  },
);

test.serial('renaming a passkey on /account: validated, audited, listed', async (t) => {
  await context.clearCookies();
  await page.goto(`${issuer}/account`);
  await typePassword('tess');
  await page.getByText('Signed in as').waitFor();
  await tabTo('Add a passkey');
  await page.keyboard.press('Enter');
  await checkPage(t, 'Add a passkey');
  await tabTo('passkey-name');
  await page.keyboard.type('Laptop');
  await page.keyboard.press('Enter');
  await checkPage(t, 'Your recovery codes');
  tessCodes = await page.locator('ul.recovery code').allTextContents();
  t.is(tessCodes.length, 10);
  await tabTo('I saved them, continue');
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === '/account');
  await page.getByText('Laptop', { exact: true }).waitFor();

  await tabTo('Rename Laptop');
  await page.keyboard.press('Enter');
  await checkPage(t, 'Rename this passkey');
  t.is(await page.getByLabel('Name of this passkey').inputValue(), 'Laptop');
  // Only spaces: the browser's `required` lets them through; the server refuses them.
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('   ');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').waitFor();
  await checkPage(t, 'Rename this passkey');
  t.regex((await page.getByRole('alert').textContent()) ?? '', /1 to 60 characters/);
  t.is((await audit('passkey.renamed')).length, 0);

  await page.getByLabel('Name of this passkey').focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('Tess’s <work> laptop');
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === '/account');
  await page.getByText('Tess’s <work> laptop', { exact: true }).waitFor();
  await checkPage(t, 'Your apps');
  t.true(await page.getByRole('link', { name: 'Remove Tess’s <work> laptop' }).isVisible());
  const [renamed] = await audit('passkey.renamed');
  t.like(renamed?.details, {
    username: 'tess',
    name: 'Tess’s <work> laptop',
    previous_name: 'Laptop',
  });
  t.regex(renamed?.actor ?? '', /^user:/);
});

test.serial('another user’s passkey, or signed out: nothing shown, nothing renamed', async (t) => {
  const [passkey] = await running.database.db('user_factors').where({ kind: 'passkey' });
  const path = `${issuer}/account/passkeys/${passkey?.id}/rename`;
  await context.clearCookies();
  t.is(new URL((await page.goto(path))?.url() ?? '').pathname, '/account', 'signed out');
  const posted = await page.request.post(path, {
    form: { csrf: 'x', name: 'Taken' },
    maxRedirects: 0,
  });
  t.is(posted.status(), 403);

  await typePassword('uma');
  await page.getByText('Signed in as').waitFor();
  t.is(new URL((await page.goto(path))?.url() ?? '').pathname, '/account', 'not hers');
  t.is(await page.getByText('Rename', { exact: false }).count(), 0);
  // Her own page's CSRF token, posted at his passkey: sent back, nothing renamed.
  const csrf = await page.locator('input[name="csrf"]').first().inputValue();
  const hers = await page.request.post(path, { form: { csrf, name: 'Taken' }, maxRedirects: 0 });
  t.is(hers.status(), 303);
  t.is(hers.headers().location, '/account');
  const label = async () =>
    (await running.database.db('user_factors').where({ id: passkey?.id }))[0]?.label;
  t.is(await label(), passkey?.label);
  t.is((await audit('passkey.renamed')).length, 1);
});

test.serial(
  'a passkey-only user signs in with a recovery code instead of the passkey',
  async (t) => {
    await context.clearCookies();
    await page.goto(`${issuer}/account`);
    await typePassword('tess');
    await checkPage(t, 'Enter your code');
    t.true(await page.getByRole('button', { name: 'Use a passkey' }).isVisible());
    // The code field has the focus; a used code is refused like a wrong one.
    await page.keyboard.type(tessCodes[0] ?? '');
    await page.keyboard.press('Enter');
    await page.getByText('Signed in as').waitFor();
    await checkPage(t, 'Your apps');
    t.true(await page.getByText('Recovery codes left: 9.').isVisible());
    const [used] = await audit('mfa.recovery_code_used');
    t.like(used?.details, { username: 'tess', recovery_codes_left: 9 });
    const [signedIn] = await audit('signin.succeeded');
    t.like(signedIn?.details, { via: 'account', amr: ['pwd', 'otp'] });

    await context.clearCookies();
    await page.goto(`${issuer}/account`);
    await typePassword('tess');
    await checkPage(t, 'Enter your code');
    await page.keyboard.type(tessCodes[0] ?? '');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').waitFor();
    await checkPage(t, 'Enter your code');
    t.like((await audit('signin.failed'))[0]?.details, { username: 'tess', step: 'second_factor' });
  },
);
