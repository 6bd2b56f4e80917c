import test from 'ava';
import { type BrowserStack, screenshot, tabTo } from '../src/index.ts';
import { consolePageIs, operatorPage, startConsoleBrowser } from './console-browser.ts';

// The admin console's directory pages (issue 15, item 3) in Chromium against a real server: an
// operator holding the portcullis-admin role reaches them from the navigation with the keyboard
// only; every page passes axe. Screenshots for docs/operators.md.
const INVOICES = 'https://invoices.example';
let running: BrowserStack;

test.before(async () => {
  running = await startConsoleBrowser({
    users: { olga: ['portcullis-admin'], bruno: [] },
    clients: ['billing'],
  });
  const cli = running.stack.cli;
  await cli(['resources', 'create', '--identifier', INVOICES, '--name', 'Invoices API']);
  await cli(['resources', 'update', INVOICES, '--scope', 'invoices:read=Read your invoices']);
  await cli(['resources', 'update', INVOICES, '--scope', 'invoices:pay=Pay your invoices']);
  await cli(['clients', 'update', 'billing', '--resource', INVOICES, '--scope', 'invoices:read']);
});
test.after.always(async () => {
  await running?.stop();
});

test("the resources and a resource's page, with the keyboard", async (t) => {
  const page = await operatorPage(t, running, 'olga');
  await tabTo(page, 'Resources');
  await page.keyboard.press('Enter');
  await consolePageIs(t, page, 'Resources');
  await screenshot(page, 'console-resources.png');
  await tabTo(page, 'Invoices API');
  await page.keyboard.press('Enter');
  await consolePageIs(t, page, 'Invoices API');
  const scopes = await page.locator('tbody tr td:first-child').allTextContents();
  t.deepEqual(scopes, ['invoices:pay', 'invoices:read']);
  t.true(await page.locator('main li', { hasText: 'billing' }).isVisible());
  await screenshot(page, 'console-resource.png');
});

test("the users, a search and a user's page, disabled with the keyboard", async (t) => {
  const page = await operatorPage(t, running, 'olga');
  await tabTo(page, 'Users');
  await page.keyboard.press('Enter');
  await consolePageIs(t, page, 'Users');
  await screenshot(page, 'console-users.png');
  await tabTo(page, 'search');
  await page.keyboard.type('brun');
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.searchParams.get('q') === 'brun');
  await consolePageIs(t, page, 'Users');
  const names = await page.locator('tbody tr td:first-child').allTextContents();
  t.deepEqual(names, ['bruno']);
  await tabTo(page, 'bruno');
  await page.keyboard.press('Enter');
  await consolePageIs(t, page, 'bruno');
  await tabTo(page, 'Disable');
  await page.keyboard.press('Enter');
  await page.getByRole('status').waitFor();
  await consolePageIs(t, page, 'bruno');
  t.regex((await page.getByRole('status').textContent()) ?? '', /User disabled/);
  t.true(await page.getByRole('button', { name: 'Enable' }).isVisible());
  await screenshot(page, 'console-user.png');
});

test("a user's grants, each with its revoke button, pass axe", async (t) => {
  const page = await operatorPage(t, running, 'olga');
  await page.goto(`${running.stack.issuer}/admin/users?q=olga`);
  await consolePageIs(t, page, 'Users');
  await tabTo(page, 'olga');
  await page.keyboard.press('Enter');
  await consolePageIs(t, page, 'olga');
  t.true(await page.locator('tbody tr', { hasText: 'Portcullis console' }).first().isVisible());
  t.true(
    await page
      .getByRole('button', { name: "Revoke Portcullis console's grant" })
      .first()
      .isVisible(),
  );
});
