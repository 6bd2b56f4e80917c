import test from 'ava';
import { type BrowserStack, screenshot, tabTo } from '../src/index.ts';
import { consolePageIs, operatorPage, startConsoleBrowser } from './console-browser.ts';

// The admin console's read-mostly pages (issue 15, item 3) in Chromium against a real server:
// an operator holding the portcullis-admin role reaches each from the navigation with the
// keyboard only; every page passes axe. Screenshots for docs/operators.md.
let running: BrowserStack;

test.before(async () => {
  running = await startConsoleBrowser({
    users: { olga: ['portcullis-admin'] },
    clients: ['billing'],
  });
  // One more event for the audit trail's filters: billing changed after its registration.
  await running.stack.cli(['clients', 'update', 'billing', '--access-token-ttl', '5m']);
});
test.after.always(async () => {
  await running?.stop();
});

test('the audit trail, filtered by type and time with the keyboard', async (t) => {
  const page = await operatorPage(t, running, 'olga');
  await tabTo(page, 'Audit trail');
  await page.keyboard.press('Enter');
  await consolePageIs(t, page, 'Audit trail');
  t.true(await page.locator('tbody tr', { hasText: 'client.created' }).first().isVisible());
  // The type, the field after the time, chosen by typing its name on the closed list.
  await tabTo(page, 'field-since');
  await page.keyboard.press('Tab');
  t.is(await page.evaluate('document.activeElement.id'), 'field-type');
  await page.keyboard.type('client.updated');
  await tabTo(page, 'Filter');
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.searchParams.get('type') === 'client.updated');
  await consolePageIs(t, page, 'Audit trail');
  const types = await page.locator('tbody tr td:nth-child(2)').allTextContents();
  t.deepEqual(types, ['client.updated']);
  await screenshot(page, 'console-audit.png');
  // A time the API cannot read: its words next to the field, what was typed kept.
  await page.locator('#field-since').focus();
  await page.keyboard.type('last tuesday');
  await page.keyboard.press('Enter');
  await page.locator('#field-since-error').waitFor();
  await consolePageIs(t, page, 'Audit trail');
  t.is(await page.locator('#field-since').getAttribute('aria-invalid'), 'true');
  t.is(await page.locator('#field-since').inputValue(), 'last tuesday');
  t.is(await page.locator('#field-type').inputValue(), 'client.updated');
});

test('a staged key rotation, with the keyboard', async (t) => {
  const page = await operatorPage(t, running, 'olga');
  await tabTo(page, 'Signing keys');
  await page.keyboard.press('Enter');
  await consolePageIs(t, page, 'Signing keys');
  await tabTo(page, 'field-propagation');
  await page.keyboard.type('20m');
  await tabTo(page, 'Stage the rotation');
  await page.keyboard.press('Enter');
  await page.locator('tbody tr', { hasText: 'next' }).first().waitFor();
  await consolePageIs(t, page, 'Signing keys');
  const states = await page.locator('tbody tr td:nth-child(3)').allTextContents();
  t.deepEqual([...states].sort(), ['active', 'active', 'next', 'next']);
  await screenshot(page, 'console-keys-rotation.png');
});
