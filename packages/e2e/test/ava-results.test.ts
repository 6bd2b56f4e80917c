import { spawn } from 'node:child_process';
import path from 'node:path';
import test from 'ava';

const root = path.resolve(import.meta.dirname, '../../..');

// `pnpm test` in CI mode, as .ci/run runs it, over fixture tests that pass, fail, throw an error
// ava 7.0.0's TAP reporter crashed on, and time out: the summary line counts each of them.
test('CI=true pnpm test: "N passed, N failed" counts failures, thrown errors and timeouts', async (t) => {
  const run = spawn(
    process.execPath,
    ['scripts/test.ts', '--config', 'packages/e2e/test/ava-results-fixture/ava.config.js'],
    {
      cwd: root,
      env: { ...process.env, CI: 'true', TEST_TOTALS_FILE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  run.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  run.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const code = await new Promise<number | null>((resolve) => run.on('exit', resolve));
  t.is(code, 1, output);
  t.regex(output, /^2 passed, 3 failed$/m, output);
  t.notRegex(output, /YAMLException|Cannot set properties of undefined/);
});
