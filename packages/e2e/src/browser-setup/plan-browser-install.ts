/** What to do when no browser is found: install Debian's chromium, or say how to get one. */
export type BrowserInstallPlan =
  | {
      kind: 'apt-get';
      /** The one line printed before installing. */
      notice: string;
      /** The commands to run, in order, each as [file, ...args]. */
      commands: string[][];
    }
  | {
      kind: 'manual';
      /** One line naming the exact command to run (or the variable to set). */
      message: string;
    };

const MISSING =
  'no chromium or Chrome found for the browser test (packages/e2e/test/browser.test.ts)';
const OR_VARIABLE = 'or set PORTCULLIS_BROWSER to the path of a chromium or Chrome';
const APT_COMMANDS = [
  ['apt-get', 'update', '-qq'],
  ['apt-get', 'install', '-y', '-qq', 'chromium'],
];

/**
 * Decides how the test runner gets a browser when none is found. Only as root on Debian (or a
 * derivative that is not Ubuntu) does it install one itself, Debian's chromium with apt-get, as a
 * CI machine expects; everywhere else it names the command to run: `sudo apt-get` on Debian,
 * `snap install chromium` on Ubuntu (whose `chromium` package is a shim that installs the snap),
 * dnf on Fedora, Homebrew on macOS.
 *
 * @example
 * const plan = planBrowserInstall({ platform: 'linux', uid: 0, osRelease: 'ID=debian\n' });
 */
export function planBrowserInstall(machine: {
  platform: NodeJS.Platform;
  /** Our user id; undefined where there are none (Windows). */
  uid: number | undefined;
  /** The text of /etc/os-release, when there is one. */
  osRelease: string | undefined;
}): BrowserInstallPlan {
  const root = machine.uid === 0;
  const sudo = root ? '' : 'sudo ';
  const manual = (command: string): BrowserInstallPlan => ({
    kind: 'manual',
    message: `${MISSING}: run \`${command}\`, ${OR_VARIABLE}`,
  });
  if (machine.platform === 'darwin') return manual('brew install --cask google-chrome');
  if (machine.platform !== 'linux') {
    return { kind: 'manual', message: `${MISSING}: install chromium or Chrome, ${OR_VARIABLE}` };
  }
  const os = parseOsRelease(machine.osRelease ?? '');
  const family = [os.ID ?? '', ...(os.ID_LIKE ?? '').split(/\s+/)];
  if (family.includes('ubuntu')) return manual(`${sudo}snap install chromium`);
  if (family.includes('debian')) {
    if (!root) return manual(`${sudo}apt-get update && ${sudo}apt-get install -y chromium`);
    return {
      kind: 'apt-get',
      notice: `${MISSING}; installing Debian's chromium as root: ${APT_COMMANDS.map((c) => c.join(' ')).join(' && ')}`,
      commands: APT_COMMANDS,
    };
  }
  if (family.some((id) => ['fedora', 'rhel', 'centos'].includes(id))) {
    return manual(`${sudo}dnf install -y chromium`);
  }
  return { kind: 'manual', message: `${MISSING}: install chromium or Chrome, ${OR_VARIABLE}` };
}

/** The fields of an os-release file (`KEY=value`, values optionally quoted). */
function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1]) fields[match[1]] = (match[2] ?? '').replace(/^(["'])(.*)\1$/, '$2');
  }
  return fields;
}
