import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

/**
 * Chromium's arguments for the browser tests, which drive the chromium or Chrome that `pnpm test`
 * found or installed (PORTCULLIS_BROWSER), never one downloaded by Playwright: headless, and no
 * network of its own (no updates, no sync), so a test reaches nothing but 127.0.0.1.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

const IMAGES = fileURLToPath(new URL('../../../docs/images/', import.meta.url));

/** axe-core, run in each page to find accessibility problems (WCAG 2.2 A/AA and best practices). */
const AXE_SOURCE = await readFile(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/**
 * Saves a PNG of the page as docs/images/`name`, the picture the docs show.
 *
 * @example
 * await screenshot(page, 'login.png');
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(IMAGES, { recursive: true });
  await page.screenshot({ path: `${IMAGES}${name}`, animations: 'disabled', caret: 'hide' });
}

/**
 * The accessibility problems axe-core finds in the page, one line each (none: []). All of axe's
 * rules but the experimental ones: WCAG 2.0, 2.1 and 2.2 A and AA, and best practices. Throws
 * when axe checked nothing (an empty or unloaded page).
 *
 * axe is evaluated through the DevTools protocol (page.evaluate), which the page's CSP (no
 * script at all) does not govern, so the pages are checked as served, CSP in force; a script
 * tag (page.addScriptTag) would be refused by that CSP, and bypassCSP would turn it off.
 *
 * @example
 * t.deepEqual(await accessibilityProblems(page), []);
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate(`typeof window.axe === 'object'`))) await page.evaluate(AXE_SOURCE);
  const { checked, problems } = (await page.evaluate(`axe
    .run(document, { resultTypes: ['violations'] })
    .then((results) => ({
      checked: results.passes.length,
      problems: results.violations.map((v) =>
        v.id + ' (' + v.impact + '): ' + v.help + ' at ' +
          v.nodes.map((n) => n.target.join(' ')).join(', ')),
    }))`)) as { checked: number; problems: string[] };
  if (checked === 0) throw new Error(`axe checked nothing on ${page.url()}`);
  return problems;
}

/**
 * Presses Tab until the focused element's text (or, for a field, its id) is `name`, as a keyboard
 * user moves through a page; throws after `most` presses.
 *
 * @example
 * await tabTo(page, 'Register');
 * await page.keyboard.press('Enter');
 */
export async function tabTo(page: Page, name: string, most = 60): Promise<void> {
  for (let i = 0; i < most; i += 1) {
    await page.keyboard.press('Tab');
    const text = (await page.evaluate(
      `(document.activeElement.textContent || '').trim() || document.activeElement.id`,
    )) as string;
    if (text === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}
