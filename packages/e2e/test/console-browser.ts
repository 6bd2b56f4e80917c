import type { ExecutionContext } from 'ava';
import type { Page } from 'playwright-core';
import {
  accessibilityProblems,
  type BrowserStack,
  startBrowserStack,
  until,
} from '../src/index.ts';
import {
  CONSOLE_ENV,
  CONSOLE_PASSWORD,
  type ConsoleSetup,
  populateConsole,
} from './console-fixtures.ts';

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

/**
 * A stack with Chromium (`startBrowserStack`) and the console's settings, populated as
 * `populateConsole` does.
 *
 * @example
 * const running = await startConsoleBrowser({ users: { olga: ['portcullis-admin'] } });
 */
export async function startConsoleBrowser(setup: ConsoleSetup): Promise<BrowserStack> {
  const running = await startBrowserStack({ ...CONSOLE_ENV });
  await populateConsole(running.stack, setup);
  return running;
}

/**
 * A new desktop page where `username` signed in with the keyboard from the console's start;
 * answers it on the clients' page (checked by axe). The context closes when the test ends.
 *
 * @example
 * const page = await operatorPage(t, running, 'olga');
 */
export async function operatorPage(
  t: ExecutionContext,
  running: BrowserStack,
  username: string,
): Promise<Page> {
  const context = await running.browser.newContext({ viewport: { width: 1200, height: 900 } });
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(`${running.stack.issuer}/admin`);
  await typeSignIn(page, username);
  await consolePageIs(t, page, 'Clients');
  return page;
}
