import type { TestDatabase } from '@portcullis/storage/testing';
import test, { type ExecutionContext } from 'ava';
import { type Browser, chromium, type Page } from 'playwright-core';
import { browserForTests, CHROMIUM_ARGS, type Stack, screenshot, tabTo } from '../src/index.ts';
import { consolePageIs as checkPage, typeSignIn } from './console-browser.ts';
import { shortConsoleTokens, startConsoleStack } from './console-fixtures.ts';

// The admin console (issue 15, item 3) in Chromium against a real server: an operator holding
// the portcullis-admin role signs in through Portcullis with the keyboard only, lists, searches,
// registers (after a refusal shown next to its field), edits, disables and enables a client,
// rotates its secret (shown once); every page passes axe. A user without the role is told
// clearly that they have no access. Screenshots for docs/operators.md. (MFA is off here: the
// console's client requires a second factor otherwise, which console.test.ts checks.)
const DESKTOP = { width: 1200, height: 900 };

let database: TestDatabase;
let stack: Stack;
let browser: Browser;

test.before(async () => {
  ({ database, stack } = await startConsoleStack({
    users: { olga: ['portcullis-admin'], nils: [], sami: ['portcullis-admin'] },
    clients: ['billing'],
  }));
  // Every page renews the console's token: a revoked grant is seen at the next request.
  await shortConsoleTokens(stack);
  browser = await chromium.launch({
    executablePath: browserForTests(process.env),
    args: CHROMIUM_ARGS,
  });
});
test.after.always(async () => {
  await browser?.close();
  await stack?.stop();
  await database?.drop();
});

/** Opens the console in a fresh profile and signs `username` in with the keyboard. */
async function signIn(t: ExecutionContext, username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP });
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(`${stack.issuer}/admin`);
  // Signed out: the console sent the browser to Portcullis's login page.
  await typeSignIn(page, username);
  return page;
}

test('an operator with the role manages clients with the keyboard; every page passes axe', async (t) => {
  const page = await signIn(t, 'olga');
  await checkPage(t, page, 'Clients');
  t.is(new URL(page.url()).pathname, '/admin/clients');
  t.regex((await page.locator('header').textContent()) ?? '', /Signed in as olga/);
  t.true(await page.getByRole('link', { name: 'billing' }).isVisible());
  await screenshot(page, 'console-clients.png');

  // Search, by keyboard.
  await tabTo(page, 'search');
  await page.keyboard.type('bill');
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.searchParams.get('q') === 'bill');
  await checkPage(t, page, 'Clients');
  t.is(await page.locator('tbody tr').count(), 1);

  // Register a client: first with a relative redirect URI, which the API refuses with the CLI's
  // words, shown next to the field.
  await tabTo(page, 'Register a client');
  await page.keyboard.press('Enter');
  await checkPage(t, page, 'Register a client');
  await tabTo(page, 'field-name');
  await page.keyboard.type('Reports app');
  await tabTo(page, 'field-grant-types-1');
  await page.keyboard.press('Space');
  await tabTo(page, 'field-redirect-uris');
  await page.keyboard.type('/callback');
  await tabTo(page, 'field-scope');
  await page.keyboard.type('openid notes:read');
  await tabTo(page, 'field-resources');
  await page.keyboard.type(stack.api);
  await tabTo(page, 'Register');
  await page.keyboard.press('Enter');
  await checkPage(t, page, 'Register a client');
  const fieldError = page.locator('#field-redirect-uris-error');
  t.regex((await fieldError.textContent()) ?? '', /redirect/i);
  t.is(await page.locator('#field-redirect-uris').getAttribute('aria-invalid'), 'true');
  t.is(await page.locator('#field-name').inputValue(), 'Reports app', 'what was typed is kept');
  await screenshot(page, 'console-client-form-error.png');

  await page.locator('#field-redirect-uris').focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('https://reports.example.com/callback');
  await tabTo(page, 'Register');
  await page.keyboard.press('Enter');
  // A confidential client: its secret, shown once.
  await checkPage(t, page, 'Client Reports app registered');
  const secret = (await page.locator('code.secret').textContent()) ?? '';
  t.true(secret.length >= 40);
  t.false(page.url().includes(secret));
  await tabTo(page, 'I have stored it: back to the client');
  await page.keyboard.press('Enter');
  await checkPage(t, page, 'Reports app');
  t.regex(
    (await page.locator('main').textContent()) ?? '',
    /https:\/\/reports\.example\.com\/callback/,
  );

  // Edit it.
  await tabTo(page, 'Edit');
  await page.keyboard.press('Enter');
  await checkPage(t, page, 'Edit Reports app');
  await tabTo(page, 'field-homepage');
  await page.keyboard.type('https://reports.example.com');
  await tabTo(page, 'Save changes');
  await page.keyboard.press('Enter');
  await checkPage(t, page, 'Reports app');
  t.regex((await page.getByRole('status').textContent()) ?? '', /Changes saved/);
  t.true(await page.getByText('https://reports.example.com', { exact: true }).isVisible());
  await screenshot(page, 'console-client.png');

  // Disable, then enable.
  await tabTo(page, 'Disable');
  await page.keyboard.press('Enter');
  await checkPage(t, page, 'Reports app');
  t.regex((await page.getByRole('status').textContent()) ?? '', /disabled/);
  await tabTo(page, 'Enable');
  await page.keyboard.press('Enter');
  await checkPage(t, page, 'Reports app');
  t.regex((await page.getByRole('status').textContent()) ?? '', /enabled/);

  // Rotate the secret: a new one, shown once; two secrets listed after.
  await tabTo(page, 'Rotate the secret');
  await page.keyboard.press('Enter');
  await checkPage(t, page, 'New secret for Reports app');
  const rotated = (await page.locator('code.secret').textContent()) ?? '';
  t.not(rotated, secret);
  await screenshot(page, 'console-secret.png');
  await tabTo(page, 'I have stored it: back to the client');
  await page.keyboard.press('Enter');
  await checkPage(t, page, 'Reports app');
  t.is(await page.locator('table tbody tr').count(), 2);

  // The signing keys and their schedule, from the navigation.
  await tabTo(page, 'Signing keys');
  await page.keyboard.press('Enter');
  await checkPage(t, page, 'Signing keys');
  t.true((await page.locator('tbody tr').count()) >= 1);
  t.regex((await page.locator('tbody').textContent()) ?? '', /ES256/);
  await screenshot(page, 'console-keys.png');

  // The doctor's findings, as the admin API's GET /doctor reports them.
  await tabTo(page, 'Doctor');
  await page.keyboard.press('Enter');
  await checkPage(t, page, 'Doctor');
  t.regex((await page.locator('main').textContent()) ?? '', /portcullis doctor/);
  await screenshot(page, 'console-doctor.png');

  // Sign out: the console's session ends, then Portcullis asks to end its own (focus on "yes").
  await tabTo(page, 'Sign out');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Yes, sign me out' }).waitFor();
  await page.keyboard.press('Enter');
  // Portcullis sends the browser back to the console's own page (its post_logout_redirect_uri).
  await checkPage(t, page, 'You are signed out');
  t.is(new URL(page.url()).pathname, '/admin/signed-out');
  t.true(await page.getByRole('link', { name: 'Sign in' }).isVisible());
  await screenshot(page, 'console-signed-out.png');
  await page.goto(`${stack.issuer}/admin/clients`);
  t.not(new URL(page.url()).pathname, '/admin/clients', 'signed out: no page of the console');
  t.true(await page.getByLabel('Username', { exact: true }).isVisible(), 'the login page again');
});

test('a user without an admin role is told so clearly', async (t) => {
  const page = await signIn(t, 'nils');
  await checkPage(t, page, 'No access to the console');
  t.regex((await page.locator('main').textContent()) ?? '', /portcullis-admin/);
  await screenshot(page, 'console-no-access.png');
});

test('a form sent after the session ended says so; signing in again comes back to its page', async (t) => {
  const page = await signIn(t, 'sami');
  await checkPage(t, page, 'Clients');
  await page.getByRole('link', { name: 'billing' }).click();
  await checkPage(t, page, 'billing');
  // An operator revokes sami's grants meanwhile: the console's session ends at its next request.
  await stack.cli(['grants', 'revoke', '--user', 'sami']);
  await tabTo(page, 'Disable');
  await page.keyboard.press('Enter');
  await checkPage(t, page, 'Your session has ended');
  t.regex((await page.locator('main').textContent()) ?? '', /nothing was changed/);
  await screenshot(page, 'console-session-ended.png');
  await tabTo(page, 'Sign in again');
  await page.keyboard.press('Enter');
  // Portcullis's own session is still there: straight back to the form's page, not disabled.
  await checkPage(t, page, 'billing');
  t.true(await page.getByRole('button', { name: 'Disable' }).isVisible());
});
