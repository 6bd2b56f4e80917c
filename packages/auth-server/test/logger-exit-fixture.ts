// For logger-exit.test.ts: writes LINES log lines to this process's stderr through the servers'
// JSON logger, as fast as it can, then leaves at once the way named by its first argument
// (`exit`: process.exit(0) right after the last line; `signal`: on SIGTERM, which it asks its
// parent for once the lines are written; `throw`: an uncaught exception).
import { createJsonLogger } from '../src/observability/logger.ts';

const lines = Number(process.env.LINES);
const how = process.argv[2];
const logger = createJsonLogger(process.stderr);
for (let i = 0; i < lines; i += 1) logger.info('request', { index: i, path: '/token' });
if (how === 'exit') process.exit(0);
if (how === 'throw') throw new Error('the fixture fails on purpose');
process.on('SIGTERM', () => process.exit(0));
process.stdout.write('written\n');
setInterval(() => {}, 1000);
