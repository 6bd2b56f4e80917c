import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { BrowserSetupError } from './browser-setup-error.ts';
import { type FoundBrowser, findBrowser } from './find-browser.ts';
import { planBrowserInstall } from './plan-browser-install.ts';

const run = promisify(execFile);

/** A browser the browser test can launch, with the version it reported. */
export interface ProvidedBrowser extends FoundBrowser {
  version: string;
}

/** Runs one install command; rejects with a one-line reason when it fails. */
export type RunCommand = (command: string[]) => Promise<void>;

/**
 * Gives the browser test a browser: the one {@link findBrowser} finds, or, when there is none,
 * Debian's chromium installed with apt-get (as root on Debian, after one notice line through
 * `log`); anywhere else it fails with a one-line message naming the command to run. The browser
 * must then answer `--version`, so a broken one fails here with its own words rather than in the
 * middle of the suite.
 *
 * @example
 * const browser = await provideBrowser({ env: process.env, log: console.error });
 * spawn('ava', args, { env: { ...process.env, PORTCULLIS_BROWSER: browser.path } });
 */
export async function provideBrowser(options: {
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  platform?: NodeJS.Platform;
  uid?: number | undefined;
  /** The text of /etc/os-release; read from the machine when not given. */
  osRelease?: string | undefined;
  /** How install commands run; by default as child processes of `env`, their output kept. */
  runCommand?: RunCommand;
}): Promise<ProvidedBrowser> {
  const { env, log, platform = process.platform } = options;
  const found = (await findBrowser({ env, platform })) ?? (await install());
  return { ...found, version: await versionOf(found, env) };

  async function install(): Promise<FoundBrowser> {
    const plan = planBrowserInstall({
      platform,
      uid: 'uid' in options ? options.uid : process.getuid?.(),
      osRelease: 'osRelease' in options ? options.osRelease : await readOsRelease(),
    });
    if (plan.kind === 'manual') throw new BrowserSetupError('browser_missing', plan.message);
    log(plan.notice);
    const runCommand = options.runCommand ?? ((command) => runQuietly(command, env, log));
    for (const command of plan.commands) await runCommand(command);
    const installed = await findBrowser({ env, platform });
    if (!installed) {
      throw new BrowserSetupError(
        'browser_install_failed',
        `${plan.commands.map((c) => c.join(' ')).join(' && ')} succeeded, yet no chromium is on PATH (${env.PATH ?? ''})`,
      );
    }
    return installed;
  }
}

async function versionOf(browser: FoundBrowser, env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout } = await run(browser.path, ['--version'], { env, timeout: 30_000 });
    return stdout.trim().split('\n')[0] ?? '';
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    const reason = (stderr?.trim() || message).split('\n')[0];
    throw new BrowserSetupError(
      'browser_broken',
      `${browser.path} (${describeSource(browser)}) does not run: ${reason}; set PORTCULLIS_BROWSER to a chromium or Chrome that does`,
    );
  }
}

function describeSource(browser: FoundBrowser): string {
  if (browser.source === 'variable') return 'named by PORTCULLIS_BROWSER';
  if (browser.source === 'system') return 'found on PATH';
  return "found in Playwright's browser cache";
}

async function readOsRelease(): Promise<string | undefined> {
  for (const file of ['/etc/os-release', '/usr/lib/os-release']) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) return text;
  }
  return undefined;
}

// apt-get's progress is noise on success; on failure its last lines go to stderr, then the
// one-line reason.
async function runQuietly(
  command: string[],
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<void> {
  const [file = '', ...args] = command;
  const child = spawn(file, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const code = await new Promise<number | string>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    child.once('close', (status, signal) => resolve(status ?? signal ?? 1));
  });
  if (code === 0) return;
  for (const line of output.trimEnd().split('\n').slice(-15)) log(line);
  throw new BrowserSetupError(
    'browser_install_failed',
    `\`${command.join(' ')}\` failed (${typeof code === 'number' ? `exit ${code}` : code}): install chromium yourself, or set PORTCULLIS_BROWSER to one`,
  );
}
