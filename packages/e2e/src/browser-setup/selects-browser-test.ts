import path from 'node:path';

/** The test files that drive a real browser, from the repository's root. */
const BROWSER_TEST_FILES = [
  'packages/e2e/test/browser.test.ts',
  'packages/e2e/test/browser-brand.test.ts',
  'packages/e2e/test/browser-console.test.ts',
  'packages/e2e/test/browser-console-reports.test.ts',
  'packages/e2e/test/browser-console-directory.test.ts',
  'packages/e2e/test/browser-console-grants.test.ts',
  'packages/e2e/test/browser-console-forms.test.ts',
  'packages/e2e/test/browser-french.test.ts',
  'packages/e2e/test/browser-mail.test.ts',
  'packages/e2e/test/browser-mfa.test.ts',
  'packages/e2e/test/browser-passkeys.test.ts',
  'packages/e2e/test/browser-passkeys-setup.test.ts',
  'packages/e2e/test/browser-roles.test.ts',
  'packages/e2e/test/browser-signup.test.ts',
  'packages/e2e/test/examples.test.ts',
  'packages/e2e/test/identity-providers-browser.test.ts',
];

// ava's options that take a value (long, and short as the last of a group such as `-sm`), so
// that the value is not read as a file pattern.
const VALUE_OPTIONS = new Set([
  '--match',
  '--config',
  '--concurrency',
  '--timeout',
  '--node-arguments',
]);
const SHORT_VALUE_OPTIONS = new Set(['m', 'c', 'T']);

/**
 * Whether ava, given `args` (the arguments of `pnpm test` that it passes on), runs one of the
 * browser tests ({@link BROWSER_TEST_FILES}), so that only then does the test runner need a
 * browser. Mirrors ava's selection: no pattern runs every test file; otherwise a file runs when a
 * pattern names it (with or without `:line` numbers), names a folder it is in, or is a glob
 * matching it or such a folder, and no `!pattern` excludes it. Patterns are relative to `cwd`;
 * files to `root`.
 *
 * @example
 * selectsBrowserTest(['packages/storage/test/migrator.test.ts'], { cwd: root, root }); // false
 */
export function selectsBrowserTest(
  args: readonly string[],
  where: { cwd: string; root: string },
): boolean {
  let positional = positionals(args);
  // `ava reset-cache` runs no test; `ava debug <pattern>` runs the file it names.
  if (positional[0] === 'reset-cache') return false;
  if (positional[0] === 'debug') positional = positional.slice(1);
  const patterns = positional.map((pattern) => normalize(pattern, where));
  if (patterns.length === 0) return true;
  const included = patterns.filter((p) => !p.startsWith('!'));
  const excluded = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  return BROWSER_TEST_FILES.some(
    (file) =>
      included.some((pattern) => selects(file, pattern)) &&
      !excluded.some((pattern) => selects(file, pattern)),
  );
}

function positionals(args: readonly string[]): string[] {
  const patterns: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--') break;
    if (arg.startsWith('--')) {
      if (VALUE_OPTIONS.has(arg)) i += 1;
    } else if (arg.startsWith('-') && arg.length > 1) {
      if (SHORT_VALUE_OPTIONS.has(arg.at(-1) ?? '')) i += 1;
    } else {
      patterns.push(arg);
    }
  }
  return patterns;
}

// As ava does: without `:lines`, from `cwd` to a path relative to the root, with `/`.
function normalize(pattern: string, where: { cwd: string; root: string }): string {
  const negated = pattern.startsWith('!');
  const bare = (negated ? pattern.slice(1) : pattern).replace(/:[\d,-]+$/, '');
  const relative = path.relative(where.root, path.resolve(where.cwd, bare));
  return `${negated ? '!' : ''}${relative.split(path.sep).join('/')}`;
}

/** Whether `pattern` names `testFile`, a folder it is in, or is a glob matching either. */
function selects(testFile: string, pattern: string): boolean {
  if (pattern === '') return true;
  const folders = testFile
    .split('/')
    .slice(0, -1)
    .map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  return [testFile, ...folders].some(
    (file) => file === pattern || path.posix.matchesGlob(file, pattern),
  );
}
