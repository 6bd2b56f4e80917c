// Only root on Debian gets chromium installed for it; everyone else gets the command to run.
import test from 'ava';
import { planBrowserInstall } from '../../src/browser-setup/plan-browser-install.ts';

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';
const UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n';
const MINT = 'NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\n';
const RASPBIAN = 'ID=raspbian\nID_LIKE=debian\n';
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\n';
const ROCKY = 'ID="rocky"\nID_LIKE="rhel centos fedora"\n';
const ARCH = 'NAME="Arch Linux"\nID=arch\n';

const linux = (uid: number, osRelease: string | undefined) =>
  planBrowserInstall({ platform: 'linux', uid, osRelease });

test("root on Debian: Debian's chromium with apt-get, after one notice naming the commands", (t) => {
  for (const osRelease of [DEBIAN, RASPBIAN]) {
    const plan = linux(0, osRelease);
    if (plan.kind !== 'apt-get') return t.fail(`${plan.kind} for ${osRelease}`);
    t.deepEqual(plan.commands, [
      ['apt-get', 'update', '-qq'],
      ['apt-get', 'install', '-y', '-qq', 'chromium'],
    ]);
    t.false(plan.notice.includes('\n'));
    t.regex(
      plan.notice,
      /installing Debian's chromium as root: apt-get update -qq && apt-get install -y -qq chromium$/,
    );
  }
});

test('a user on Debian: the sudo command to run, and the variable', (t) => {
  t.deepEqual(linux(1000, DEBIAN), {
    kind: 'manual',
    message:
      'no chromium or Chrome found for the browser test (packages/e2e/test/browser.test.ts): run `sudo apt-get update && sudo apt-get install -y chromium`, or set PORTCULLIS_BROWSER to the path of a chromium or Chrome',
  });
});

test("Ubuntu and its derivatives, root or not: the snap, as Ubuntu's chromium package is a shim for it", (t) => {
  for (const osRelease of [UBUNTU, MINT]) {
    t.like(linux(0, osRelease), { kind: 'manual' });
    t.regex(
      manualMessage(linux(0, osRelease)),
      /: run `snap install chromium`, or set PORTCULLIS_BROWSER/,
    );
    t.regex(manualMessage(linux(1000, osRelease)), /: run `sudo snap install chromium`/);
  }
});

test('Fedora and its relatives: dnf', (t) => {
  t.regex(manualMessage(linux(1000, FEDORA)), /run `sudo dnf install -y chromium`/);
  t.regex(manualMessage(linux(0, ROCKY)), /run `dnf install -y chromium`/);
});

test('macOS: Homebrew; elsewhere, or with no os-release: install one or set the variable', (t) => {
  t.regex(
    manualMessage(planBrowserInstall({ platform: 'darwin', uid: 501, osRelease: undefined })),
    /run `brew install --cask google-chrome`/,
  );
  for (const plan of [
    linux(0, ARCH),
    linux(0, undefined),
    planBrowserInstall({ platform: 'win32', uid: undefined, osRelease: undefined }),
  ]) {
    t.regex(
      manualMessage(plan),
      /: install chromium or Chrome, or set PORTCULLIS_BROWSER to the path/,
    );
  }
});

/** The message of a manual plan, which must be one line. */
function manualMessage(plan: ReturnType<typeof planBrowserInstall>): string {
  if (plan.kind !== 'manual') throw new Error(`expected a manual plan, got ${plan.kind}`);
  if (plan.message.includes('\n')) throw new Error(`not one line: ${plan.message}`);
  return plan.message;
}
