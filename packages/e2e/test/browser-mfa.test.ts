import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test, { type ExecutionContext } from 'ava';
import * as client from 'openid-client';
import { type Browser, chromium, type Page } from 'playwright-core';
import {
  accessibilityProblems,
  browserForTests,
  CHROMIUM_ARGS,
  createCodeClient,
  discoverClient,
  msUntilMidStep,
  type Stack,
  screenshot,
  startStack,
  tabTo,
  totpCode,
} from '../src/index.ts';

// The second-factor pages in Chromium (issue 13, item 1): setting up an authenticator app on
// /account, the recovery codes, and the code step of an app's sign-in; each checked by axe (zero
// violations), used with the keyboard only, and photographed for the docs.
const PASSWORD = 'a-long-enough-password';
const PHONE = { width: 480, height: 800 };

let database: TestDatabase;
let stack: Stack;
let browser: Browser;
// The app's redirect URI: a server of the test that answers "done".
let callback: Server;
let redirectUri = '';
let app: { client_id: string; client_secret: string };
// The key the setup page showed, read as a person would.
let seed = '';

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  await stack.cli(['users', 'create', '--username', 'tess', '--password-stdin'], `${PASSWORD}\n`);
  callback = createServer((_, response) => response.end('done'));
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
  app = await createCodeClient(stack, 'Notes Viewer', redirectUri, 'openid', ['--first-party']);
  browser = await chromium.launch({
    executablePath: browserForTests(process.env),
    args: CHROMIUM_ARGS,
  });
});
test.after.always(async () => {
  await browser?.close();
  callback?.closeAllConnections();
  callback?.close();
  await stack?.stop();
  await database?.drop();
});

async function checkPage(t: ExecutionContext, page: Page, title: string) {
  // The page the last key press led to: the one before may still be showing for a moment.
  for (let i = 0; i < 100 && (await page.title()) !== `${title} · Portcullis`; i += 1) {
    await sleep(50);
  }
  await page.locator('h1').waitFor();
  t.is(await page.title(), `${title} · Portcullis`);
  t.deepEqual(await accessibilityProblems(page), [], title);
}

const focusedId = (page: Page) => page.evaluate('document.activeElement.id') as Promise<string>;

test.serial(
  'setting up an app on /account: QR code and key, a first code, recovery codes',
  async (t) => {
    const page = await (await browser.newContext({ viewport: PHONE })).newPage();
    await page.goto(`${stack.issuer}/account`);
    t.is(await focusedId(page), 'username');
    await page.keyboard.type('tess');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    // The login page was /account too: wait for the page of the signed-in user.
    await page.getByText('Signed in as').waitFor();
    await tabTo(page, 'Set up an authenticator app');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/account/mfa');
    await checkPage(t, page, 'Set up an authenticator app');
    const qr = page.getByRole('img', { name: 'QR code holding the key above' });
    t.true(await qr.locator('svg').isVisible(), 'the QR code is drawn in the page');
    seed = ((await page.locator('#totp-secret').textContent()) ?? '').replaceAll(' ', '');
    t.regex(seed, /^[A-Z2-7]{32}$/);
    await screenshot(page, 'mfa-setup.png');

    await sleep(msUntilMidStep());
    await tabTo(page, 'code');
    await page.keyboard.type(totpCode(seed));
    await page.keyboard.press('Enter');
    await checkPage(t, page, 'Your recovery codes');
    t.is(await page.locator('ul.recovery li').count(), 10);
    await screenshot(page, 'mfa-recovery-codes.png');
    await tabTo(page, 'I saved them, continue');
    await page.keyboard.press('Enter');
    await page.getByText('10 recovery codes left').waitFor();
    await checkPage(t, page, 'Your apps');
    await screenshot(page, 'mfa-account.png');
  },
);

test.serial(
  'an app sign-in: the code step after the password, a wrong code, then in',
  async (t) => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    const config = await discoverClient(stack.issuer, app);
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    await page.goto(url.href);
    // The login page's focus starts on Username once it is ready (its own test: browser.test.ts).
    await page.getByLabel('Username', { exact: true }).focus();
    await page.keyboard.type('tess');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await checkPage(t, page, 'Enter your code');
    t.is(await focusedId(page), 'code', 'the code field has the focus');
    await screenshot(page, 'mfa-code.png');

    await page.keyboard.type('000000' === totpCode(seed, 1) ? '111111' : '000000');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').waitFor();
    await checkPage(t, page, 'Enter your code');
    t.regex((await page.getByRole('alert').textContent()) ?? '', /That code is not right/);
    t.is(await focusedId(page), 'code');
    await page.keyboard.type(totpCode(seed, 1));
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.href.startsWith(redirectUri));
    const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: verifier,
    });
    t.deepEqual((tokens.claims() as { amr?: string[] }).amr, ['pwd', 'otp']);
  },
);
