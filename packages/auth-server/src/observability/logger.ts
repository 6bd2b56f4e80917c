import { pino } from 'pino';
import { REDACTED, redactPaths, scrubText, scrubValue } from './redaction.ts';
import { currentRequestScope } from './request-scope.ts';

/** A minimal structured logger; the CLI passes one that writes JSON lines. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

// On this process's stderr (the servers' log in production) the lines are written by pino's own
// synchronous destination on file descriptor 2, one write per line, retried while a full pipe
// answers EAGAIN: every line is out before the next statement runs, so none is lost however the
// process leaves (logger-exit.test.ts). Node's process.stderr, on a pipe whose reader is slow,
// queued them in memory and dropped the queue on exit; and pino's asynchronous destination
// raced its last in-flight write against the final flush.
function destinationFor(stream: NodeJS.WritableStream): pino.DestinationStream {
  if (stream !== process.stderr) return stream as pino.DestinationStream;
  return pino.destination({ fd: 2, sync: true });
}

/**
 * Writes one JSON object per line to `stream` (pino): `level`, `time` (ISO 8601), `pid`,
 * `hostname`, `request_id` when written while serving a request, the fields, and `message`.
 * Secrets never reach the stream: fields named like one (`authorization`, `password`,
 * `client_secret`, `code`, `refresh_token`...) are replaced by `[redacted]` at any depth, and
 * every string is scrubbed of query-string secrets, credentials and JWTs (see redaction.ts).
 *
 * @example
 * const logger = createJsonLogger(process.stderr);
 * logger.info('signing keys changed', { signing: ['kid-1'] });
 * // {"level":"info","time":"...","pid":1,"hostname":"h","signing":["kid-1"],"message":"signing keys changed"}
 */
export function createJsonLogger(stream: NodeJS.WritableStream = process.stderr): Logger {
  const log = pino(
    {
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactPaths(), censor: REDACTED },
      mixin() {
        const scope = currentRequestScope();
        return scope ? { request_id: scope.id } : {};
      },
    },
    destinationFor(stream),
  );
  const write =
    (level: 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => {
      if (fields) log[level](scrubValue(fields) as object, scrubText(message));
      else log[level](scrubText(message));
    };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

/** A logger that drops everything, for tests and embedding. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
