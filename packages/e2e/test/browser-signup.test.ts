import test from 'ava';
import type { Page } from 'playwright-core';
import { type BrowserStack, checkPage, screenshot, startBrowserStack } from '../src/index.ts';

// Open sign-up's pages in Chromium: each checked by axe (zero violations), used with the
// keyboard, and photographed for the docs. The stack runs as `dev` without SMTP, so the link
// comes from its /dev/mail page.
const PASSWORD = 'a-password-of-my-own';
const PHONE = { width: 480, height: 800 };

let fixture: BrowserStack;

test.before(async () => {
  fixture = await startBrowserStack({ PORTCULLIS_SIGNUP: 'open' });
});
test.after.always(async () => {
  await fixture?.stop();
});

const focused = (page: Page) => page.evaluate('document.activeElement.id');

test.serial('open sign-up by keyboard: the address, the mailed link, the account', async (t) => {
  const page = await (await fixture.browser.newContext({ viewport: PHONE })).newPage();
  await page.goto(`${fixture.stack.issuer}/account`);
  await checkPage(t, page, 'Sign in');
  await screenshot(page, 'login-signup.png');
  await page.getByRole('link', { name: 'Create an account' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === '/account/signup');
  await checkPage(t, page, 'Create an account');
  t.is(await focused(page), 'email', 'the address field has focus');
  await page.keyboard.type('tess@example.test');
  await screenshot(page, 'signup.png');
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === '/account/signup/sent');
  await checkPage(t, page, 'Check your mail');

  await page.goto(`${fixture.stack.issuer}/dev/mail`);
  const link = page.locator('pre.mail a[href*="/account/signup/complete/"]').first();
  await link.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname.startsWith('/account/signup/complete/'));
  await checkPage(t, page, 'Create your account');
  t.is(await focused(page), 'username', 'the username field has focus');
  t.regex((await page.locator('main').textContent()) ?? '', /tess@example\.test/);
  // Tab order: username, new password, again, the button.
  for (const text of ['tess', PASSWORD, `${PASSWORD}-typo`]) {
    await page.keyboard.type(text);
    await page.keyboard.press('Tab');
  }
  await page.keyboard.press('Enter');
  await page.waitForLoadState();
  await checkPage(t, page, 'Create your account');
  t.regex((await page.getByRole('alert').textContent()) ?? '', /The two passwords differ/);
  await screenshot(page, 'signup-complete.png');
  await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('New password again').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create the account' }).press('Enter');
  await page.waitForURL((u) => u.pathname === '/account/signup/done');
  await checkPage(t, page, 'Account created');

  await page.goto(`${fixture.stack.issuer}/account`);
  await page.getByLabel('Username', { exact: true }).fill('tess');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForLoadState();
  await checkPage(t, page, 'Your apps');
  t.regex((await page.locator('main').textContent()) ?? '', /tess@example\.test \(verified\)/);
});
