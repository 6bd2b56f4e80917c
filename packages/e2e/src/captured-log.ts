import { Writable } from 'node:stream';
import { createJsonLogger } from '@portcullis/auth-server';

/**
 * A JSON logger whose lines a test can read back: pass `logger` to `createAuthServer`, then look
 * for a field in `lines()` or for a secret in `text()`.
 *
 * @example
 * const log = capturedLog();
 * await createAuthServer({ ...deps, logger: log.logger });
 * log.lines().filter((line) => line.message === 'request');
 */
export function capturedLog() {
  let text = '';
  const logger = createJsonLogger(
    new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
  );
  return {
    logger,
    text: () => text,
    // biome-ignore lint/suspicious/noExplicitAny: log lines are read field by field
    lines: (): Array<Record<string, any>> =>
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line)),
  };
}
