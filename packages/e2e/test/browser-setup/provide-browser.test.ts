// The browser test's browser: found, or installed with (a stand-in for) apt-get as root on
// Debian, or a one-line reason; then it must answer --version. Stand-ins are real scripts.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { provideBrowser } from '../../src/browser-setup/provide-browser.ts';
import { fakeBrowser, script, tempFolder } from './fake-files.ts';

const DEBIAN = 'ID=debian\nVERSION_ID="12"\n';

function logged() {
  const lines: string[] = [];
  return { lines, log: (line: string) => lines.push(line) };
}

test('a browser found is used as it is, with the version it reports, and nothing installed', async (t) => {
  const dir = await tempFolder(t);
  const chromium = await fakeBrowser(
    path.join(dir, 'bin/chromium'),
    'Chromium 131.0.6778.139 built on Debian',
  );
  const { lines, log } = logged();
  const browser = await provideBrowser({
    env: { PATH: path.join(dir, 'bin') },
    log,
    platform: 'linux',
    uid: 0,
    osRelease: DEBIAN,
    runCommand: async () => t.fail('nothing to install'),
  });
  t.deepEqual(browser, {
    path: chromium,
    source: 'system',
    version: 'Chromium 131.0.6778.139 built on Debian',
  });
  t.deepEqual(lines, []);
});

test("root on Debian with no browser: one notice, then apt-get update and install, then Debian's chromium", async (t) => {
  const dir = await tempFolder(t);
  const bin = path.join(dir, 'bin');
  const calls = path.join(dir, 'calls');
  // apt-get's stand-in records its arguments and environment; `install` puts chromium on PATH.
  await script(
    path.join(dir, 'sbin/apt-get'),
    `echo "$* DEBIAN_FRONTEND=$DEBIAN_FRONTEND" >> ${calls}
echo "Reading package lists..."
if [ "$1" = install ]; then /bin/mkdir -p ${bin}; printf '#!/bin/sh\\necho Chromium 131\\n' > ${bin}/chromium; /bin/chmod 755 ${bin}/chromium; fi`,
  );
  const { lines, log } = logged();
  const browser = await provideBrowser({
    // Only the stand-ins on PATH: this machine may have a chromium of its own.
    env: { PATH: [bin, path.join(dir, 'sbin')].join(path.delimiter) },
    log,
    platform: 'linux',
    uid: 0,
    osRelease: DEBIAN,
  });
  t.deepEqual(browser, {
    path: path.join(bin, 'chromium'),
    source: 'system',
    version: 'Chromium 131',
  });
  t.deepEqual(lines, [
    "no chromium or Chrome found for the browser test (packages/e2e/test/browser.test.ts); installing Debian's chromium as root: apt-get update -qq && apt-get install -y -qq chromium",
  ]);
  t.is(
    await readFile(calls, 'utf8'),
    'update -qq DEBIAN_FRONTEND=noninteractive\ninstall -y -qq chromium DEBIAN_FRONTEND=noninteractive\n',
  );
});

test('a failed apt-get: its last lines, then one line naming the command and its exit code', async (t) => {
  const dir = await tempFolder(t);
  await script(
    path.join(dir, 'sbin/apt-get'),
    'if [ "$1" = install ]; then echo "E: Unable to locate package chromium" >&2; exit 100; fi',
  );
  const { lines, log } = logged();
  const error = await t.throwsAsync(
    provideBrowser({
      env: { PATH: path.join(dir, 'sbin') },
      log,
      platform: 'linux',
      uid: 0,
      osRelease: DEBIAN,
    }),
  );
  t.is((error as { code?: string }).code, 'browser_install_failed');
  t.is(
    error?.message,
    '`apt-get install -y -qq chromium` failed (exit 100): install chromium yourself, or set PORTCULLIS_BROWSER to one',
  );
  t.deepEqual(lines.slice(1), ['E: Unable to locate package chromium']);
});

test('an install that succeeds yet leaves no chromium on PATH fails, naming PATH', async (t) => {
  const error = await t.throwsAsync(
    provideBrowser({
      env: { PATH: '/nowhere' },
      log: () => {},
      platform: 'linux',
      uid: 0,
      osRelease: DEBIAN,
      runCommand: async () => {},
    }),
  );
  t.is((error as { code?: string }).code, 'browser_install_failed');
  t.regex(error?.message ?? '', /yet no chromium is on PATH \(\/nowhere\)$/);
});

test('not root: nothing installed, one line with the command to run', async (t) => {
  const error = await t.throwsAsync(
    provideBrowser({
      env: { PATH: '/nowhere' },
      log: () => t.fail('no notice: nothing is installed'),
      platform: 'linux',
      uid: 1000,
      osRelease: DEBIAN,
      runCommand: async () => t.fail('nothing to install'),
    }),
  );
  t.is((error as { code?: string }).code, 'browser_missing');
  t.regex(error?.message ?? '', /run `sudo apt-get update && sudo apt-get install -y chromium`/);
});

test('a browser that does not answer --version fails with its own words', async (t) => {
  const dir = await tempFolder(t);
  const shim = await script(
    path.join(dir, 'bin/chromium-browser'),
    'echo "Command \'/usr/bin/chromium-browser\' requires the chromium snap to be installed." >&2; exit 1',
  );
  const error = await t.throwsAsync(
    provideBrowser({ env: { PATH: path.join(dir, 'bin') }, log: () => {}, platform: 'linux' }),
  );
  t.is((error as { code?: string }).code, 'browser_broken');
  t.is(
    error?.message,
    `${shim} (found on PATH) does not run: Command '/usr/bin/chromium-browser' requires the chromium snap to be installed.; set PORTCULLIS_BROWSER to a chromium or Chrome that does`,
  );
});
