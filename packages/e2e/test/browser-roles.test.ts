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

// The account page's "Your roles" (issue 13, item 4) in a real browser: listed for a user with
// roles, absent for one without, zero accessibility violations, reachable by keyboard alone, and
// a screenshot for the operator guide.

const PASSWORD = 'roles-browser-password';

let database: TestDatabase;
let stack: Stack;
let browser: Browser;

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  await stack.cli(['resources', 'update', stack.api, '--scope', 'notes:admin=Manage all notes']);
  for (const role of ['notes-admin', 'auditor']) {
    await stack.cli(['roles', 'create', role, '--scope', `${stack.api} notes:admin`]);
  }
  // Each test signs in as a user of its own: they run at the same time.
  for (const username of ['rose', 'noel', 'remy']) {
    await stack.cli(['users', 'create', '--username', username, '--password-stdin'], PASSWORD);
  }
  for (const username of ['rose', 'remy']) {
    await stack.cli(['users', 'add-role', username, 'notes-admin']);
    await stack.cli(['users', 'add-role', username, 'auditor']);
  }
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

/** Signs `username` in on /account by keyboard (type, Tab, type, Enter), in a fresh profile. */
async function accountPage(t: { teardown(fn: () => Promise<void>): void }, username: string) {
  const context = await browser.newContext({ viewport: { width: 480, height: 800 } });
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(`${stack.issuer}/account`);
  await page.getByLabel('Username', { exact: true }).focus();
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForSelector('h1:has-text("Apps with access")');
  return page;
}

const mainText = async (page: Page) => (await page.locator('main').textContent()) ?? '';

test('a user with roles sees them on /account; the page passes axe', async (t) => {
  const page = await accountPage(t, 'rose');
  const section = page.getByRole('region', { name: 'Your roles' });
  t.deepEqual(await section.getByRole('listitem').allTextContents(), ['auditor', 'notes-admin']);
  t.deepEqual(await accessibilityProblems(page), []);
  await screenshot(page, 'account-roles.png');
});

test('a user without roles sees no roles section', async (t) => {
  const page = await accountPage(t, 'noel');
  t.notRegex(await mainText(page), /Your roles/);
  t.deepEqual(await accessibilityProblems(page), []);
});

test('a role taken away is gone from the page at the next load', async (t) => {
  const page = await accountPage(t, 'remy');
  await stack.cli(['users', 'remove-role', 'remy', 'auditor']);
  await page.reload();
  const section = page.getByRole('region', { name: 'Your roles' });
  t.deepEqual(await section.getByRole('listitem').allTextContents(), ['notes-admin']);
});
