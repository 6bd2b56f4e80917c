import test from 'ava';
import { type BrowserStack, screenshot, tabTo } from '../src/index.ts';
import { consolePageIs, operatorPage, startConsoleBrowser } from './console-browser.ts';

// The console's grants (issue 15, item 3) in Chromium against a real server: the grants' page
// reached from the navigation and searched with the keyboard only, and a user's "Revoke all"
// through its confirmation; every page passes axe. Screenshots for
// docs/operators.md.
let running: BrowserStack;

test.before(async () => {
  running = await startConsoleBrowser({
    users: { olga: ['portcullis-admin'], nina: ['portcullis-admin'] },
    clients: ['billing'],
  });
});
test.after.always(async () => {
  await running?.stop();
});

test("the grants, searched, and all of a user's revoked after a confirmation, with the keyboard", async (t) => {
  // nina's console sign-in is her grant to the console's client.
  await operatorPage(t, running, 'nina');
  const page = await operatorPage(t, running, 'olga');
  await tabTo(page, 'Grants');
  await page.keyboard.press('Enter');
  await consolePageIs(t, page, 'Grants');
  await screenshot(page, 'console-grants.png');
  await tabTo(page, 'search');
  await page.keyboard.type('NIN');
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.searchParams.get('q') === 'NIN');
  await consolePageIs(t, page, 'Grants');
  const users = await page.locator('tbody tr td:nth-child(2)').allTextContents();
  t.true(users.length > 0);
  t.true(users.every((user) => user === 'nina'));
  await tabTo(page, 'nina');
  await page.keyboard.press('Enter');
  await consolePageIs(t, page, 'nina');
  await tabTo(page, 'Revoke all grants…');
  await page.keyboard.press('Enter');
  await consolePageIs(t, page, "Revoke nina's grants");
  await screenshot(page, 'console-grants-revoke-all.png');
  await tabTo(page, "Revoke all of nina's grants");
  await page.keyboard.press('Enter');
  await page.getByRole('status').waitFor();
  await consolePageIs(t, page, 'nina');
  t.regex((await page.getByRole('status').textContent()) ?? '', /All their grants revoked/);
  t.true(await page.getByText('No grant.').isVisible());
});
