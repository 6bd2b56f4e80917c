import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/bin.ts');

test('a reader that closes the pipe early (| head) ends the command quietly, exit 0', async (t) => {
  // The read end of stdout is closed before the help text is written: every write gets EPIPE.
  const child = spawn(process.execPath, [bin, 'help', 'clients'], {
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.is(stderr, '');
  t.is(code, 0);
});
