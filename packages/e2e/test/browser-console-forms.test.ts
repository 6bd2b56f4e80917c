import test from 'ava';
import type { Page } from 'playwright-core';
import { type BrowserStack, screenshot, tabTo } from '../src/index.ts';
import { consolePageIs, operatorPage, startConsoleBrowser } from './console-browser.ts';

// The console's forms for API resources and users (issue 15, item 3) in Chromium against a real
// server, with the keyboard only: a resource registered after a refusal shown next to its field,
// a user created, given a role, given a new password and deleted after the confirmation. Every
// page passes axe. Screenshots for docs/operators.md.
let running: BrowserStack;

test.before(async () => {
  running = await startConsoleBrowser({
    roles: { auditor: 'urn:portcullis:admin admin:read' },
    users: { olga: ['portcullis-admin'] },
  });
});
test.after.always(async () => {
  await running?.stop();
});

// Moves to the field whose id is `id` and types `text` into it, replacing what it held.
async function typeInto(page: Page, id: string, text: string): Promise<void> {
  await tabTo(page, id);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(text);
}

test('register a resource with the keyboard: refused next to its field, then registered', async (t) => {
  const page = await operatorPage(t, running, 'olga');
  await tabTo(page, 'Resources');
  await page.keyboard.press('Enter');
  await consolePageIs(t, page, 'Resources');
  await tabTo(page, 'Register a resource');
  await page.keyboard.press('Enter');
  await consolePageIs(t, page, 'Register a resource');
  await typeInto(page, 'field-identifier', '/orders');
  await typeInto(page, 'field-name', 'Orders API');
  await typeInto(page, 'field-scopes', 'orders:read=Read your orders');
  await page.keyboard.press('Enter');
  await page.keyboard.type('orders:cancel=Cancel your orders');
  await typeInto(page, 'field-role-gated-scopes', 'orders:cancel');
  await tabTo(page, 'Register');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').waitFor();
  await consolePageIs(t, page, 'Register a resource');
  t.is(
    await page.locator('#field-identifier-error').textContent(),
    'resource "/orders" is not an absolute URI',
  );
  t.is(await page.locator('#field-identifier').getAttribute('aria-invalid'), 'true');
  await screenshot(page, 'console-resource-form.png');
  await typeInto(page, 'field-identifier', 'https://orders.example');
  await tabTo(page, 'Register');
  await page.keyboard.press('Enter');
  await page.getByRole('status').waitFor();
  await consolePageIs(t, page, 'Orders API');
  t.is(await page.getByRole('status').textContent(), 'Resource registered.');
  const gated = await page.locator('tbody tr', { hasText: 'orders:cancel' }).textContent();
  t.regex(gated ?? '', /yes$/);
});

test('a user created, given a role and a new password, then deleted, with the keyboard', async (t) => {
  const page = await operatorPage(t, running, 'olga');
  await tabTo(page, 'Users');
  await page.keyboard.press('Enter');
  await consolePageIs(t, page, 'Users');
  await tabTo(page, 'Create a user');
  await page.keyboard.press('Enter');
  await consolePageIs(t, page, 'Create a user');
  await typeInto(page, 'field-username', 'petra');
  await typeInto(page, 'field-password', 'petra-first-password');
  await typeInto(page, 'field-email', 'petra@example.com');
  await typeInto(page, 'field-name', 'Petra Novak');
  await screenshot(page, 'console-user-form.png');
  await tabTo(page, 'Create');
  await page.keyboard.press('Enter');
  await page.getByRole('status').waitFor();
  await consolePageIs(t, page, 'petra');
  t.is(await page.getByRole('status').textContent(), 'User created.');
  await typeInto(page, 'field-role', 'auditor');
  await page.keyboard.press('Enter');
  await page.getByText('Role added.').waitFor();
  await consolePageIs(t, page, 'petra');
  t.true(await page.getByRole('button', { name: 'Remove auditor' }).isVisible());
  await screenshot(page, 'console-user-roles.png');
  await tabTo(page, 'Set a new password');
  await page.keyboard.press('Enter');
  await consolePageIs(t, page, 'Set a new password for petra');
  t.is(await page.locator('#field-password').getAttribute('autocomplete'), 'new-password');
  await typeInto(page, 'field-password', 'petra-second-password');
  await page.keyboard.press('Enter');
  await page.getByText('Password set.').waitFor();
  await consolePageIs(t, page, 'petra');
  t.false((await page.content()).includes('petra-second-password'));
  await tabTo(page, 'Delete');
  await page.keyboard.press('Enter');
  await consolePageIs(t, page, 'Delete petra?');
  await tabTo(page, 'Delete the user');
  await page.keyboard.press('Enter');
  await page.getByText('User deleted').waitFor();
  await consolePageIs(t, page, 'Users');
  t.is(await page.locator('tbody tr', { hasText: 'petra' }).count(), 0);
});
