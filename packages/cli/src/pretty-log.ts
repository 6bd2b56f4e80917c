import { Writable } from 'node:stream';
import { type Format, paint } from './output.ts';

// Shown in the line's own layout, not as `key=value`.
const LAYOUT = new Set(['level', 'time', 'pid', 'hostname', 'message', 'request_id']);
const REQUEST_LAYOUT = new Set([
  ...LAYOUT,
  'method',
  'route',
  'path',
  'status',
  'duration_ms',
  'address',
  'error',
  'error_description',
  'error_detail',
]);

type Paint = (format: Format, text: string) => string;

function fieldValue(value: unknown): string {
  return typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
}

function statusColour(status: unknown): Format {
  const code = Number(status);
  if (code >= 500) return 'red';
  if (code >= 400) return 'yellow';
  return 'green';
}

/**
 * One JSON log line (as the server's logger writes it, secrets already redacted) as one line for
 * people: the time (UTC), the level when not `info`, the request id's first 8 characters, then
 * the message and the other fields as `key=value`. An access line reads as the request: method,
 * path, status, the OAuth error with its description and detail, and the duration. Anything that
 * is not a JSON object is returned as it is.
 *
 * @example
 * prettyLogLine('{"level":"info","time":"2025-01-01T12:00:00.000Z","method":"POST","path":"/token","status":400,"error":"invalid_grant","error_description":"grant request is invalid","duration_ms":3.4,"message":"request"}');
 * // '12:00:00.000 POST /token 400 invalid_grant: grant request is invalid 3.4 ms'
 */
export function prettyLogLine(json: string, colour: Paint = (_format, text) => text): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return json;
  const parts: string[] = [];
  if (typeof entry.time === 'string') parts.push(colour('dim', entry.time.slice(11, 23)));
  if (entry.level === 'warn') parts.push(colour('yellow', 'WARN'));
  else if (entry.level === 'error') parts.push(colour('red', 'ERROR'));
  else if (entry.level !== 'info') parts.push(String(entry.level).toUpperCase());
  if (typeof entry.request_id === 'string') {
    parts.push(colour('dim', `[${entry.request_id.slice(0, 8)}]`));
  }
  const request = entry.message === 'request';
  if (request) {
    parts.push(`${String(entry.method)} ${String(entry.path)}`);
    parts.push(colour(statusColour(entry.status), String(entry.status)));
    if (typeof entry.error === 'string') {
      const description =
        typeof entry.error_description === 'string' ? `: ${entry.error_description}` : '';
      const detail = typeof entry.error_detail === 'string' ? ` (${entry.error_detail})` : '';
      parts.push(`${colour('bold', entry.error)}${description}${detail}`);
    }
    if (typeof entry.duration_ms === 'number') parts.push(`${entry.duration_ms} ms`);
  } else {
    parts.push(String(entry.message ?? ''));
  }
  const skip = request ? REQUEST_LAYOUT : LAYOUT;
  for (const [key, value] of Object.entries(entry)) {
    if (!skip.has(key) && value !== undefined)
      parts.push(colour('dim', `${key}=${fieldValue(value)}`));
  }
  return parts.join(' ');
}

/**
 * A stream for the server's logger that writes each JSON line to `target` as
 * {@link prettyLogLine} makes it, in colour when `target` shows colour (a terminal, without
 * NO_COLOR). Redaction happened before: this only changes the layout.
 *
 * @example
 * const logger = createJsonLogger(prettyLogStream(process.stderr));
 */
export function prettyLogStream(target: NodeJS.WritableStream): Writable {
  const colour: Paint = (format, text) => paint(target, format, text);
  let pending = '';
  return new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _encoding, done) {
      pending += chunk.toString();
      let end = pending.indexOf('\n');
      while (end >= 0) {
        target.write(`${prettyLogLine(pending.slice(0, end), colour)}\n`);
        pending = pending.slice(end + 1);
        end = pending.indexOf('\n');
      }
      done();
    },
    final(done) {
      if (pending !== '') target.write(`${prettyLogLine(pending, colour)}\n`);
      done();
    },
  });
}
