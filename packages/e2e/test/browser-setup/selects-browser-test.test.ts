// `pnpm test <patterns>` needs a browser only when ava would run a browser test: browser.test.ts
// or examples.test.ts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { selectsBrowserTest } from '../../src/browser-setup/selects-browser-test.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const fromRoot = (...args: string[]) => selectsBrowserTest(args, { cwd: root, root });

test('no pattern runs every file, the browser test included', (t) => {
  t.true(fromRoot());
  t.true(fromRoot('--tap', '--match', 'sign in*', '-c', '2', '--timeout', '2m'));
  t.true(fromRoot('--', 'packages/storage/test/migrator.test.ts'));
});

test('patterns naming the file, with line numbers, ./ or an absolute path', (t) => {
  t.true(fromRoot('packages/e2e/test/browser.test.ts'));
  t.true(fromRoot('packages/e2e/test/browser.test.ts:120,140-150'));
  t.true(fromRoot('./packages/e2e/test/browser.test.ts'));
  t.true(fromRoot(path.join(root, 'packages/e2e/test/browser.test.ts')));
  t.true(fromRoot('packages/storage/test/migrator.test.ts', 'packages/e2e/test/browser.test.ts'));
});

test("the account page's roles test drives a browser too", (t) => {
  t.true(fromRoot('packages/e2e/test/browser-roles.test.ts'));
  t.true(fromRoot('packages/e2e/test/browser-brand.test.ts'));
});

test('the examples test drives a browser too', (t) => {
  t.true(fromRoot('packages/e2e/test/examples.test.ts'));
  t.true(fromRoot('packages/e2e/test/examples.test.ts:40'));
  t.true(fromRoot('**/examples*'));
  t.true(fromRoot('packages/e2e', '!packages/e2e/test/browser.test.ts'));
  t.false(fromRoot('packages/e2e/test/examples.test.ts', '!**/examples.test.ts'));
});

test('the identity providers browser test drives a browser too', (t) => {
  t.true(fromRoot('packages/e2e/test/identity-providers-browser.test.ts'));
  t.false(fromRoot('packages/e2e/test/identity-providers.test.ts'));
});

test('folders and globs that take it in', (t) => {
  t.true(fromRoot('packages/e2e'));
  t.true(fromRoot('packages/e2e/test/'));
  t.true(fromRoot('.'));
  t.true(fromRoot('packages/*/test/*.test.ts'));
  t.true(fromRoot('**/browser*'));
  t.true(fromRoot('packages/*/test'));
});

test('other files, folders and globs: no browser needed', (t) => {
  t.false(fromRoot('packages/storage/test/migrator.test.ts'));
  t.false(fromRoot('packages/storage'));
  t.false(fromRoot('packages/e2e/test/browser-setup'));
  t.false(fromRoot('packages/e2e/test/browser-setup/find-browser.test.ts'));
  t.false(fromRoot('packages/storage/**'));
  t.false(fromRoot('packages/e2e/test/dev-*.test.ts'));
});

test("options' values are not patterns", (t) => {
  t.false(fromRoot('--match', 'packages/e2e', 'packages/storage'));
  t.false(fromRoot('-m', 'packages/e2e', 'packages/storage'));
  t.false(fromRoot('-sm', 'packages/e2e', 'packages/storage'));
  t.false(fromRoot('--config', 'packages/e2e', 'packages/storage'));
  t.false(fromRoot('--match=packages/e2e', 'packages/storage'));
  t.false(fromRoot('--tap', 'packages/storage'));
});

test('exclusions that cover every browser test win', (t) => {
  t.false(
    fromRoot(
      'packages/e2e',
      '!packages/e2e/test/browser.test.ts',
      '!packages/e2e/test/browser-brand.test.ts',
      '!packages/e2e/test/browser-console.test.ts',
      '!packages/e2e/test/browser-console-reports.test.ts',
      '!packages/e2e/test/browser-console-directory.test.ts',
      '!packages/e2e/test/browser-console-grants.test.ts',
      '!packages/e2e/test/browser-console-forms.test.ts',
      '!packages/e2e/test/browser-french.test.ts',
      '!packages/e2e/test/browser-mail.test.ts',
      '!packages/e2e/test/browser-mfa.test.ts',
      '!packages/e2e/test/browser-passkeys.test.ts',
      '!packages/e2e/test/browser-passkeys-setup.test.ts',
      '!packages/e2e/test/browser-roles.test.ts',
      '!packages/e2e/test/browser-signup.test.ts',
      '!packages/e2e/test/examples.test.ts',
      '!packages/e2e/test/identity-providers-browser.test.ts',
    ),
  );
  t.true(
    fromRoot(
      'packages/e2e',
      '!packages/e2e/test/browser.test.ts',
      '!packages/e2e/test/examples.test.ts',
      '!packages/e2e/test/identity-providers-browser.test.ts',
    ),
    'the mail pages still drive a browser',
  );
  t.true(
    fromRoot(
      'packages/e2e',
      '!packages/e2e/test/browser.test.ts',
      '!packages/e2e/test/browser-mail.test.ts',
      '!packages/e2e/test/examples.test.ts',
    ),
    'the identity providers pages still drive a browser',
  );
  t.false(
    fromRoot(
      'packages/*/test/**',
      '!**/browser.test.ts',
      '!**/browser-brand.test.ts',
      '!**/browser-console*.test.ts',
      '!**/browser-french.test.ts',
      '!**/browser-mail.test.ts',
      '!**/browser-mfa.test.ts',
      '!**/browser-passkeys*.test.ts',
      '!**/browser-roles.test.ts',
      '!**/browser-signup.test.ts',
      '!**/examples.test.ts',
      '!**/*-browser.test.ts',
    ),
  );
  t.false(fromRoot('packages/e2e', '!packages/e2e/test/*.test.ts'));
  t.true(fromRoot('packages/e2e', '!packages/e2e/test/dev-command.test.ts'));
});

test("ava's commands: debug runs the file it names, reset-cache runs none", (t) => {
  t.true(fromRoot('debug', 'packages/e2e/test/browser.test.ts'));
  t.false(fromRoot('debug', 'packages/storage/test/migrator.test.ts'));
  t.false(fromRoot('reset-cache'));
});

test('patterns are read from the folder the command runs in', (t) => {
  const cwd = path.join(root, 'packages/e2e');
  t.true(selectsBrowserTest(['test/browser.test.ts'], { cwd, root }));
  t.true(selectsBrowserTest(['test'], { cwd, root }));
  t.false(selectsBrowserTest(['packages/e2e/test/browser.test.ts'], { cwd, root }));
});
