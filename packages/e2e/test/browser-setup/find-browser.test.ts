// The search order users expect, on real files: PORTCULLIS_BROWSER, the system's chromium or
// Chrome on PATH, then Playwright's browser cache.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { findBrowser } from '../../src/browser-setup/find-browser.ts';
import { fakeBrowser, tempFolder } from './fake-files.ts';

const linux = (env: NodeJS.ProcessEnv) => findBrowser({ env, platform: 'linux' });

test('PORTCULLIS_BROWSER wins over a chromium on PATH', async (t) => {
  const dir = await tempFolder(t);
  await fakeBrowser(path.join(dir, 'bin/chromium'));
  const named = await fakeBrowser(path.join(dir, 'opt/chrome'));
  t.deepEqual(await linux({ PORTCULLIS_BROWSER: named, PATH: path.join(dir, 'bin') }), {
    path: named,
    source: 'variable',
  });
});

for (const [what, make] of [
  ['a missing file', async () => {}],
  ['a file that is not executable', (file: string) => writeFile(file, '')],
  ['a folder', (file: string) => mkdir(file)],
] as const) {
  test(`PORTCULLIS_BROWSER naming ${what} is an error, not a reason to look elsewhere`, async (t) => {
    const dir = await tempFolder(t);
    await fakeBrowser(path.join(dir, 'bin/chromium'));
    const named = path.join(dir, 'chrome');
    await make(named);
    const error = await t.throwsAsync(
      linux({ PORTCULLIS_BROWSER: named, PATH: path.join(dir, 'bin') }),
    );
    t.is((error as { code?: string }).code, 'browser_variable_invalid');
    t.regex(error?.message ?? '', new RegExp(`^PORTCULLIS_BROWSER=${named} is not an executable`));
  });
}

test('an empty PORTCULLIS_BROWSER counts as unset', async (t) => {
  const dir = await tempFolder(t);
  const chromium = await fakeBrowser(path.join(dir, 'bin/chromium'));
  t.like(await linux({ PORTCULLIS_BROWSER: '', PATH: path.join(dir, 'bin') }), {
    path: chromium,
    source: 'system',
  });
});

test('on PATH, chromium comes before Chrome, whichever folder comes first', async (t) => {
  const dir = await tempFolder(t);
  await fakeBrowser(path.join(dir, 'google/google-chrome'));
  const chromium = await fakeBrowser(path.join(dir, 'usr/bin/chromium'));
  const PATH = [path.join(dir, 'google'), path.join(dir, 'usr/bin')].join(path.delimiter);
  t.deepEqual(await linux({ PATH }), { path: chromium, source: 'system' });
});

test("on PATH: chromium-browser, then Google's names; a file that is not executable is passed over", async (t) => {
  const dir = await tempFolder(t);
  const bin = path.join(dir, 'bin');
  await fakeBrowser(path.join(bin, 'chromium'));
  await chmod(path.join(bin, 'chromium'), 0o644);
  const stable = await fakeBrowser(path.join(bin, 'google-chrome-stable'));
  t.deepEqual(await linux({ PATH: bin }), { path: stable, source: 'system' });
  const browser = await fakeBrowser(path.join(bin, 'chromium-browser'));
  t.deepEqual(await linux({ PATH: bin }), { path: browser, source: 'system' });
});

test('relative PATH entries are not searched', async (t) => {
  const dir = await tempFolder(t);
  await fakeBrowser(path.join(dir, 'bin/chromium'));
  t.is(await linux({ PATH: path.relative(process.cwd(), path.join(dir, 'bin')) }), undefined);
});

test("Playwright's cache: the newest chromium revision, in either layout, headless shells aside", async (t) => {
  const home = await tempFolder(t);
  const cache = path.join(home, '.cache/ms-playwright');
  await fakeBrowser(path.join(cache, 'chromium-1140/chrome-linux/chrome'));
  await fakeBrowser(path.join(cache, 'chromium_headless_shell-1300/chrome-linux/headless_shell'));
  t.deepEqual(await linux({ HOME: home, PATH: '' }), {
    path: path.join(cache, 'chromium-1140/chrome-linux/chrome'),
    source: 'playwright-cache',
  });
  const newest = await fakeBrowser(path.join(cache, 'chromium-1255/chrome-linux64/chrome'));
  await mkdir(path.join(cache, 'chromium-1200'));
  t.deepEqual(await linux({ HOME: home, PATH: '' }), { path: newest, source: 'playwright-cache' });
});

test("Playwright's cache follows XDG_CACHE_HOME, and PLAYWRIGHT_BROWSERS_PATH over both", async (t) => {
  const dir = await tempFolder(t);
  await fakeBrowser(path.join(dir, 'home/.cache/ms-playwright/chromium-1/chrome-linux64/chrome'));
  const xdg = await fakeBrowser(
    path.join(dir, 'xdg/ms-playwright/chromium-2/chrome-linux64/chrome'),
  );
  const own = await fakeBrowser(path.join(dir, 'own/chromium-3/chrome-linux64/chrome'));
  const env = { HOME: path.join(dir, 'home'), XDG_CACHE_HOME: path.join(dir, 'xdg'), PATH: '' };
  t.is((await linux(env))?.path, xdg);
  t.is((await linux({ ...env, PLAYWRIGHT_BROWSERS_PATH: path.join(dir, 'own') }))?.path, own);
  t.is(await linux({ ...env, PLAYWRIGHT_BROWSERS_PATH: path.join(dir, 'none') }), undefined);
});

test("the system's chromium comes before Playwright's cache", async (t) => {
  const home = await tempFolder(t);
  await fakeBrowser(path.join(home, '.cache/ms-playwright/chromium-1255/chrome-linux64/chrome'));
  const chromium = await fakeBrowser(path.join(home, 'bin/chromium'));
  t.is((await linux({ HOME: home, PATH: path.join(home, 'bin') }))?.source, 'system');
  t.is((await linux({ HOME: home, PATH: path.join(home, 'bin') }))?.path, chromium);
});

test('nothing anywhere: undefined', async (t) => {
  const home = await tempFolder(t);
  await mkdir(path.join(home, 'bin'));
  t.is(await linux({ HOME: home, PATH: path.join(home, 'bin') }), undefined);
  t.is(await linux({}), undefined);
});
