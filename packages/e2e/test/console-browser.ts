import type { ExecutionContext } from 'ava';
import type { Page } from 'playwright-core';
import { accessibilityProblems, until } from '../src/index.ts';
import { CONSOLE_PASSWORD } from './console-fixtures.ts';

/**
 * Waits for the page titled `title` (a console page's `title · … console`, or the sign-in's),
 * then checks it with axe-core: zero violations.
 *
 * @example
 * await consolePageIs(t, page, 'Clients');
 */
export async function consolePageIs(t: ExecutionContext, page: Page, title: string) {
  await until(`the page is ${title}`, async () => (await page.title()).startsWith(`${title} · `));
  await page.locator('h1').waitFor();
  t.deepEqual(await accessibilityProblems(page), [], title);
}

/**
 * On Portcullis's login page (where a signed-out console sends the browser), signs `username` in
 * with the keyboard alone, with the console tests' password.
 *
 * @example
 * await page.goto(`${issuer}/admin`);
 * await typeSignIn(page, 'olga');
 */
export async function typeSignIn(page: Page, username: string): Promise<void> {
  await page.getByLabel('Username', { exact: true }).focus();
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(CONSOLE_PASSWORD);
  await page.keyboard.press('Enter');
}
