import { access, constants, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserSetupError } from './browser-setup-error.ts';

/** The variable that names the browser for the browser test, and that `pnpm test` passes on. */
export const BROWSER_VARIABLE = 'PORTCULLIS_BROWSER';

/** A browser executable, and where it was found. */
export interface FoundBrowser {
  path: string;
  /** The variable, the system's chromium or Chrome on PATH, or Playwright's browser cache. */
  source: 'variable' | 'system' | 'playwright-cache';
}

// The names the system's chromium and Chrome go by on PATH, most likely first: Debian's
// `chromium`, the `chromium-browser` of other distributions, Google's packages.
const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const MAC_APPS = [
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];
// Inside a `chromium-<revision>` folder of Playwright's cache: Chrome for Testing's layouts
// (Playwright 1.57 and later), then the older chromium builds'.
const PLAYWRIGHT_EXECUTABLES: Partial<Record<NodeJS.Platform, string[]>> = {
  linux: ['chrome-linux64/chrome', 'chrome-linux-arm64/chrome', 'chrome-linux/chrome'],
  darwin: [
    'chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
    'chrome-mac-x64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
    'chrome-mac/Chromium.app/Contents/MacOS/Chromium',
  ],
};

/**
 * Finds a chromium or Chrome the way users expect: the one PORTCULLIS_BROWSER names (which must
 * then be an executable file: a bad value is an error, never skipped), then the system's
 * chromium or Chrome on PATH, then the newest chromium in Playwright's browser cache
 * (PLAYWRIGHT_BROWSERS_PATH, or its default folder). Resolves with undefined when there is none.
 *
 * @example
 * const browser = await findBrowser({ env: process.env });
 */
export async function findBrowser(options: {
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}): Promise<FoundBrowser | undefined> {
  const { env, platform = process.platform } = options;
  const named = env[BROWSER_VARIABLE];
  if (named) {
    const resolved = path.resolve(named);
    if (!(await isExecutableFile(resolved))) {
      throw new BrowserSetupError(
        'browser_variable_invalid',
        `${BROWSER_VARIABLE}=${named} is not an executable file: name the path of a chromium or Chrome, or unset it to let \`pnpm test\` find one`,
      );
    }
    return { path: resolved, source: 'variable' };
  }
  const system = await firstExecutable(systemCandidates(env, platform));
  if (system) return { path: system, source: 'system' };
  const cached = await firstExecutable(await playwrightCandidates(env, platform));
  if (cached) return { path: cached, source: 'playwright-cache' };
  return undefined;
}

function systemCandidates(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  const dirs = (env.PATH ?? '').split(path.delimiter).filter((dir) => path.isAbsolute(dir));
  const onPath = SYSTEM_NAMES.flatMap((name) => dirs.map((dir) => path.join(dir, name)));
  return platform === 'darwin' ? [...onPath, ...MAC_APPS] : onPath;
}

async function playwrightCandidates(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): Promise<string[]> {
  const layouts = PLAYWRIGHT_EXECUTABLES[platform];
  const registry = playwrightRegistry(env, platform);
  if (!layouts || !registry) return [];
  const entries = await readdir(registry).catch(() => []);
  const revisions = entries
    .map((name) => ({ name, revision: Number(/^chromium-(\d+)$/.exec(name)?.[1]) }))
    .filter(({ revision }) => Number.isInteger(revision))
    .sort((a, b) => b.revision - a.revision);
  return revisions.flatMap(({ name }) => layouts.map((file) => path.join(registry, name, file)));
}

// Where Playwright keeps its browsers, by its own rules: PLAYWRIGHT_BROWSERS_PATH ("0": inside
// the playwright-core package; relative: from where the install ran), else the user's cache.
function playwrightRegistry(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  const configured = env.PLAYWRIGHT_BROWSERS_PATH;
  if (configured === '0') {
    const manifest = fileURLToPath(import.meta.resolve('playwright-core/package.json'));
    return path.join(path.dirname(manifest), '.local-browsers');
  }
  if (configured) return path.resolve(env.INIT_CWD ?? process.cwd(), configured);
  const home = env.HOME;
  if (platform === 'linux') {
    const cache = env.XDG_CACHE_HOME || (home ? path.join(home, '.cache') : undefined);
    return cache ? path.join(cache, 'ms-playwright') : undefined;
  }
  if (platform === 'darwin' && home) return path.join(home, 'Library/Caches/ms-playwright');
  return undefined;
}

async function firstExecutable(candidates: string[]): Promise<string | undefined> {
  for (const candidate of candidates) {
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
