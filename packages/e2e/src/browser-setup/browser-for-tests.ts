import { BROWSER_VARIABLE } from './find-browser.ts';

/**
 * The browser executable for a test that drives one: the path `pnpm test` found or installed and
 * passed on in PORTCULLIS_BROWSER. Throws, naming `pnpm test`, when the test runs without it
 * (through ava directly), rather than skipping the test.
 *
 * @example
 * const browser = await chromium.launch({ executablePath: browserForTests(process.env) });
 */
export function browserForTests(env: NodeJS.ProcessEnv): string {
  const executable = env[BROWSER_VARIABLE];
  if (!executable) {
    throw new Error(
      `${BROWSER_VARIABLE} is unset: run the browser test through \`pnpm test\` (e.g. \`pnpm test packages/e2e/test/browser.test.ts\`), which finds or installs a browser and sets it, or set ${BROWSER_VARIABLE} to a chromium or Chrome`,
    );
  }
  return executable;
}
