import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { type Browser, chromium, type Page } from 'playwright-core';
import {
  accessibilityProblems,
  browserForTests,
  CHROMIUM_ARGS,
  type Stack,
  screenshot,
  startStack,
} from '../src/index.ts';

// The pages of password reset, e-mail verification and password change, in Chromium: each
// checked by axe (zero violations), used with the keyboard, and photographed for the docs. The
// stack runs as `dev` without SMTP, so the links come from its /dev/mail page.
const OLD = 'the-first-password';
const NEW = 'a-brand-new-password';
const PHONE = { width: 480, height: 800 };

let database: TestDatabase;
let stack: Stack;
let browser: Browser;

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  await stack.cli(
    ['users', 'create', '--username', 'mona', '--password-stdin', '--email', 'mona@example.test'],
    `${OLD}\n`,
  );
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

/** Types into the focused field, then moves on with Tab, as a keyboard user does. */
async function typeAndTab(page: Page, text: string) {
  await page.keyboard.type(text);
  await page.keyboard.press('Tab');
}

/** The newest link of /dev/mail whose address contains `path`, followed. */
async function followMailedLink(page: Page, path: string) {
  await page.goto(`${stack.issuer}/dev/mail`);
  const link = page.locator(`pre.mail a[href*="${path}"]`).first();
  await link.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname.startsWith(path));
}

async function checkPage(t: import('ava').ExecutionContext, page: Page, title: string) {
  await page.locator('h1').waitFor();
  t.is(await page.title(), `${title} · Portcullis`);
  t.deepEqual(await accessibilityProblems(page), [], title);
}

test.serial('password reset from the login page, by keyboard, every page accessible', async (t) => {
  const page = await (await browser.newContext({ viewport: PHONE })).newPage();
  await page.goto(`${stack.issuer}/account`);
  const forgot = page.getByRole('link', { name: 'Forgot your password?' });
  await forgot.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === '/account/password/forgot');
  await checkPage(t, page, 'Reset your password');
  t.is(await page.evaluate('document.activeElement.id'), 'email', 'the address field has focus');
  await screenshot(page, 'password-forgot.png');
  await page.keyboard.type('mona@example.test');
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === '/account/password/forgot/sent');
  await checkPage(t, page, 'Check your mail');

  await page.goto(`${stack.issuer}/dev/mail`);
  await checkPage(t, page, 'Mail (dev)');
  t.regex((await page.locator('main').textContent()) ?? '', /Reset your password/);
  await screenshot(page, 'dev-mail.png');

  await followMailedLink(page, '/account/password/reset/');
  await checkPage(t, page, 'Choose a new password');
  // The checkbox is on by default; Tab order: new password, again, the checkbox, the button.
  t.true(await page.getByLabel(/Sign out everywhere/).isChecked());
  await page.getByLabel('New password', { exact: true }).focus();
  await typeAndTab(page, NEW);
  await typeAndTab(page, `${NEW}-typo`);
  t.is(await page.evaluate('document.activeElement.id'), 'end_sessions');
  await page.keyboard.press('Enter');
  await page.waitForLoadState();
  await checkPage(t, page, 'Choose a new password');
  t.regex((await page.getByRole('alert').textContent()) ?? '', /The two new passwords differ/);
  await screenshot(page, 'password-reset.png');
  await page.getByLabel('New password', { exact: true }).fill(NEW);
  await page.getByLabel('New password again').fill(NEW);
  await page.getByRole('button', { name: 'Set the password' }).press('Enter');
  await page.waitForURL((u) => u.pathname === '/account/password/reset-done');
  await checkPage(t, page, 'Password changed');
});

test.serial('/account: the address, its verification, and the password change', async (t) => {
  const page = await (await browser.newContext({ viewport: PHONE })).newPage();
  await page.goto(`${stack.issuer}/account`);
  await page.getByLabel('Username', { exact: true }).fill('mona');
  await page.getByLabel('Password', { exact: true }).fill(NEW);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForLoadState();
  await checkPage(t, page, 'Your apps');
  t.regex((await page.locator('main').textContent()) ?? '', /mona@example\.test \(not verified\)/);
  await screenshot(page, 'account-email.png');

  const send = page.getByRole('button', { name: 'Send a verification link to mona@example.test' });
  await send.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === '/account/email/sent');
  await checkPage(t, page, 'Check your mail');

  await followMailedLink(page, '/account/email/verify/');
  await checkPage(t, page, 'Verify your e-mail address');
  await screenshot(page, 'email-verify.png');
  await page.getByRole('button', { name: 'Verify mona@example.test' }).press('Enter');
  await page.waitForURL((u) => u.pathname === '/account/email/verified');
  await checkPage(t, page, 'Address verified');
  await page.goto(`${stack.issuer}/account`);
  t.regex((await page.locator('main').textContent()) ?? '', /mona@example\.test \(verified\)/);

  const change = page.getByRole('link', { name: 'Change password' });
  await change.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === '/account/password');
  await checkPage(t, page, 'Change your password');
  t.is(await page.evaluate('document.activeElement.id'), 'current_password');
  await typeAndTab(page, 'not-the-password');
  await typeAndTab(page, OLD);
  await page.keyboard.type(OLD);
  await page.keyboard.press('Enter');
  await page.waitForLoadState();
  await checkPage(t, page, 'Change your password');
  t.regex((await page.getByRole('alert').textContent()) ?? '', /current password is not right/);
  await screenshot(page, 'password-change.png');
  await page.getByLabel('Current password').fill(NEW);
  await page.getByLabel('New password', { exact: true }).fill(OLD);
  await page.getByLabel('New password again').fill(OLD);
  await page.getByRole('button', { name: 'Change the password' }).press('Enter');
  await page.waitForURL((u) => u.pathname === '/account/password/changed');
  await checkPage(t, page, 'Password changed');
});
