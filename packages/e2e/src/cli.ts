import { Readable, Writable } from 'node:stream';
import { run } from '@portcullis/cli';

/**
 * Runs `portcullis ...args --json` in process with `env`, `stdin` on its standard input, and
 * parses its output; a non-zero exit throws with what it wrote on stderr.
 *
 * @example
 * const keys = await cliJson<KeyJson[]>({ DATABASE_URL: url }, ['keys', 'list']);
 */
export async function cliJson<T = Record<string, unknown>>(
  env: Record<string, string>,
  args: string[],
  stdin = '',
): Promise<T> {
  let out = '';
  let err = '';
  const code = await run([...args, '--json'], {
    env,
    stdout: new Writable({
      write(chunk, _encoding, done) {
        out += chunk;
        done();
      },
    }),
    stderr: new Writable({
      write(chunk, _encoding, done) {
        err += chunk;
        done();
      },
    }),
    stdin: Readable.from([stdin]),
  });
  if (code !== 0) throw new Error(`portcullis ${args.join(' ')}: ${err.trim()}`);
  return JSON.parse(out) as T;
}
