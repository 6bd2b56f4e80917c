import type { Io } from './runtime.ts';

/** True when stdin is a terminal, so a person can answer a question. */
export function interactive(io: Io): boolean {
  return (io.stdin as { isTTY?: boolean }).isTTY === true;
}

/**
 * Asks `question` on stderr and reads one line from stdin; true for `y` or `yes` (any case).
 *
 * @example
 * if (!(await confirm(io, 'Delete it? [y/N] '))) throw new CliError('not deleted');
 */
export async function confirm(io: Io, question: string): Promise<boolean> {
  io.stderr.write(question);
  const answer = await new Promise<string>((resolve) => {
    let text = '';
    const done = () => {
      io.stdin.off('data', onData);
      io.stdin.off('end', done);
      io.stdin.pause();
      resolve(text);
    };
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      if (text.includes('\n') || text.length > 100) done();
    };
    io.stdin.on('data', onData);
    io.stdin.once('end', done);
    io.stdin.resume();
  });
  return /^\s*y(es)?\s*$/i.test(answer.split('\n', 1)[0] ?? '');
}
