// The counts of an ava run, read from its default reporter's output (scripts/test.ts). The TAP
// reporter is not used: ava 7.0.0's crashes on a test that times out, or that throws an error
// with an undefined property, and takes the whole run down with it.
import { stripVTControlCharacters } from 'node:util';

/** How many tests passed and failed, as a CI summary line counts them. */
export type AvaResults = { passed: number; failed: number };

// The end-of-run lines that count failures (ava's lib/reporters/default.js words them).
const FAILURE_LINES = [
  /^\s*(\d+) tests? failed/m,
  /^\s*(\d+) hooks? failed/m,
  /^\s*(\d+) tests? remained pending after a timeout/m,
  /^\s*(\d+) uncaught exceptions?/m,
  /^\s*(\d+) unhandled rejections?/m,
];

/**
 * The passed tests are the ✔ lines (one per test; ava prints the passed total only when nothing
 * failed). The failures are the end-of-run totals; a run that exited non-zero with none of them
 * (a worker that crashed, a file that failed to exit) counts as one failure, so that it can never
 * read as a clean run.
 *
 * @example
 * avaResults('  ✔ a › b\n\n  1 test passed\n', 0); // { passed: 1, failed: 0 }
 */
export function avaResults(output: string, exitCode: number): AvaResults {
  const text = stripVTControlCharacters(output);
  const passed = (text.match(/^\s*✔ (?!\[expected fail\])/gm) ?? []).length;
  let failed = 0;
  for (const line of FAILURE_LINES) failed += Number(line.exec(text)?.[1] ?? 0);
  if (exitCode !== 0 && failed === 0) failed = 1;
  return { passed, failed };
}
