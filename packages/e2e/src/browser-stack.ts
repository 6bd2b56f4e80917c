import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import type { ExecutionContext } from 'ava';
import { type Browser, chromium, type Page } from 'playwright-core';
import { accessibilityProblems, CHROMIUM_ARGS } from './browser-pages.ts';
import { browserForTests } from './browser-setup/index.ts';
import { type Stack, startStack } from './stack.ts';

/** A test's own database, the stack on it (as `dev`), and Chromium. */
export interface BrowserStack {
  database: TestDatabase;
  stack: Stack;
  browser: Browser;
  /** Closes the browser, stops the stack and drops the database. */
  stop(): Promise<void>;
}

/**
 * Starts a stack with the settings of `env` and the Chromium `pnpm test` found, for a browser
 * test.
 *
 * @example
 * const { stack, browser, stop } = await startBrowserStack({ PORTCULLIS_SIGNUP: 'open' });
 */
export async function startBrowserStack(env: Record<string, string> = {}): Promise<BrowserStack> {
  const database = await createTestDatabase();
  const stack = await startStack(database.db, database.url, env);
  const browser = await chromium.launch({
    executablePath: browserForTests(process.env),
    args: CHROMIUM_ARGS,
  });
  return {
    database,
    stack,
    browser,
    async stop() {
      await browser.close();
      await stack.stop();
      await database.drop();
    },
  };
}

/**
 * Waits for the page's heading, then checks its title (`title · Portcullis`) and that axe-core
 * finds no accessibility problem.
 *
 * @example
 * await checkPage(t, page, 'Create an account');
 */
export async function checkPage(t: ExecutionContext, page: Page, title: string): Promise<void> {
  await page.locator('h1').waitFor();
  t.is(await page.title(), `${title} · Portcullis`);
  t.deepEqual(await accessibilityProblems(page), [], title);
}
