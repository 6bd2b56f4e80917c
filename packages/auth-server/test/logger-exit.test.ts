import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const fixture = fileURLToPath(new URL('./logger-exit-fixture.ts', import.meta.url));
// The servers' log must survive a process that leaves at once, with a slow reader on its pipe.
// Node's process.stderr failed this (lines queued in memory behind a full pipe, dropped on
// exit: 218 of 20,000 arrived), and so did pino's asynchronous destination (its in-flight write
// raced the final flush: a block of lines out of order). 20,000 lines is far more than a pipe
// holds.
const LINES = 20_000;

/** Runs the fixture, leaving as `how` says, and returns what it wrote to stderr, line by line. */
async function loggedLines(how: 'exit' | 'signal' | 'throw'): Promise<string[]> {
  const child = spawn(process.execPath, [fixture, how], {
    env: { ...process.env, LINES: String(LINES) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  if (how === 'signal') {
    child.stdout.once('data', () => child.kill('SIGTERM'));
  }
  await once(child, 'close');
  return stderr.split('\n').filter((line) => line !== '');
}

for (const how of ['exit', 'signal'] as const) {
  test(`every line written to stderr before ${how === 'exit' ? 'process.exit' : 'SIGTERM'} reaches it, whole and in order`, async (t) => {
    const lines = await loggedLines(how);
    t.is(lines.length, LINES);
    const indexes = lines.map((line) => (JSON.parse(line) as { index: number }).index);
    t.deepEqual(
      indexes,
      Array.from({ length: LINES }, (_, i) => i),
    );
  });
}

test('an uncaught exception still leaves every line written before it', async (t) => {
  const lines = await loggedLines('throw');
  const logged = lines.filter((line) => line.startsWith('{"level"'));
  t.is(logged.length, LINES);
  t.is((JSON.parse(logged.at(-1) ?? '{}') as { index: number }).index, LINES - 1);
  t.true(lines.some((line) => line.includes('the fixture fails on purpose')));
});
