// `pnpm test`: runs the whole suite (ava) against DATABASE_URL, or, when it is unset, against an
// embedded PostgreSQL started for the run, so the suite passes on a machine with nothing but
// Node.js. Each test file then creates a database of its own on that server.
// `pnpm test:slow` (--slow) runs the *.slow.test.ts files instead, which `pnpm test` leaves out
// (load, database faults, replicas), with scripts/ava.slow.config.js.
// With CI=true it ends with a line "N passed, N failed", counted from ava's output
// (scripts/ava-results.ts); with TEST_TOTALS_FILE set too, it adds its counts to that file
// instead, for .ci/run to print one line for the fast and the slow suite together.
// When the files to run include a browser test (browser.test.ts, examples.test.ts), it first
// finds a chromium or Chrome (PORTCULLIS_BROWSER, then PATH, then Playwright's cache), or installs
// Debian's chromium when root on Debian, or stops with the command to run; the tests get its path
// in PORTCULLIS_BROWSER.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SETTING } from '../packages/auth-server/src/config/settings.ts';
import {
  BROWSER_VARIABLE,
  provideBrowser,
  selectsBrowserTest,
} from '../packages/e2e/src/browser-setup/index.ts';
import { resolveDatabase } from '../packages/storage/src/index.ts';
import { avaResults } from './ava-results.ts';

const root = path.resolve(import.meta.dirname, '..');
const slow = process.argv.includes('--slow');
const patternsAndOptions = process.argv.slice(2).filter((arg) => arg !== '--slow');
// No slow test drives a browser, and the slow files leave the browser test out.
const browserEnv =
  !slow && selectsBrowserTest(patternsAndOptions, { cwd: process.cwd(), root })
    ? { [BROWSER_VARIABLE]: await browser() }
    : {};

const dataDir = path.resolve(
  process.env.PORTCULLIS_TEST_DATA_DIR || SETTING.PORTCULLIS_TEST_DATA_DIR.value,
);
const database = await resolveDatabase({
  databaseUrl: process.env.DATABASE_URL,
  dataDir,
  log: (line) => console.error(line),
});
if (!process.env.DATABASE_URL) {
  console.error(`tests use the embedded PostgreSQL in ${database.location ?? dataDir}`);
}

const ci = process.env.CI === 'true' || process.env.CI === '1';
const args = [...(slow ? ['--config', 'scripts/ava.slow.config.js'] : []), ...patternsAndOptions];
const child = spawn('ava', args, {
  stdio: ['ignore', ci ? 'pipe' : 'inherit', 'inherit'],
  env: { ...process.env, ...browserEnv, DATABASE_URL: database.url },
});
let output = '';
child.stdout?.on('data', (chunk: Buffer) => {
  output += chunk.toString('utf8');
  process.stdout.write(chunk);
});
const code = await new Promise<number>((resolve) => {
  child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
});
await database.stop();
if (ci) {
  const { passed, failed } = avaResults(output, code);
  const totals = process.env.TEST_TOTALS_FILE;
  if (totals) {
    const [before = 0, beforeFailed = 0] = (await readFile(totals, 'utf8').catch(() => ''))
      .split(' ')
      .map(Number);
    await writeFile(totals, `${before + passed} ${beforeFailed + failed}\n`);
  } else {
    console.log(`\n${passed} passed, ${failed} failed`);
  }
  if (code === 0 && passed === 0) process.exit(1);
}
process.exit(code);

/** The browser test's browser, found or installed; a one-line reason and exit 1 when there is none. */
async function browser(): Promise<string> {
  try {
    const found = await provideBrowser({ env: process.env, log: (line) => console.error(line) });
    console.error(`the browser test uses ${found.path} (${found.version})`);
    return found.path;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('browser_')) throw error;
    console.error(`pnpm test: ${(error as Error).message}`);
    process.exit(1);
  }
}
