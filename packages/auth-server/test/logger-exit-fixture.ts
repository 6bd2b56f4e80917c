// For logger-exit.test.ts: writes LINES log lines to this process's stderr through the servers'
// JSON logger (access lines and others), as fast as it can, then leaves at once the way named by its first argument
// (`exit`: process.exit(0) right after the last line; `signal`: on SIGTERM, which it asks its
// parent for once the lines are written; `throw`: an uncaught exception).
import { createJsonLogger } from '../src/observability/logger.ts';

const lines = Number(process.env.LINES);
const how = process.argv[2];
const logger = createJsonLogger(process.stderr);
// Access lines (batched until the end of the turn) mixed with other lines (written at once, after
// the batch), and the last thousand all access lines, still queued when the process leaves.
for (let i = 0; i < lines; i += 1) {
  if (i % 3 === 0 && i < lines - 1000) logger.info('request', { index: i, path: '/token' });
  else logger.request?.(`r-${i}`, { index: i, path: '/token' });
}
if (how === 'exit') process.exit(0);
if (how === 'throw') throw new Error('the fixture fails on purpose');
process.on('SIGTERM', () => process.exit(0));
process.stdout.write('written\n');
setInterval(() => {}, 1000);
