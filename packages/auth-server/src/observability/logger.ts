import { hostname } from 'node:os';
import { pino } from 'pino';
import { batchLines, type LineBatch } from './line-batch.ts';
import { isSecretField, REDACTED, redactPaths, scrubText, scrubValue } from './redaction.ts';
import { currentRequestScope } from './request-scope.ts';

/** A minimal structured logger; the CLI passes one that writes JSON lines. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /**
   * The access line of the request `requestId`: the same line as `info('request', fields)`
   * written while serving it. Optional: without it, the caller does exactly that
   * (observe-requests.ts). The JSON logger writes it without going through pino's formatting,
   * which cost more than anything else of ours per token request.
   */
  request?(requestId: string, fields: Record<string, unknown>): void;
}

// On this process's stderr (the servers' log in production) the lines are written by pino's own
// synchronous destination on file descriptor 2, retried while a full pipe answers EAGAIN: a line
// is out before the next statement runs, so none is lost however the process leaves
// (logger-exit.test.ts). Access lines, one per request, are the exception: written together once
// per turn of the event loop (line-batch.ts), since a system call per line cost more than building
// it; every other line writes them first. Node's process.stderr, on a pipe whose reader is slow,
// queued lines in memory and dropped the queue on exit; and pino's asynchronous destination
// raced its last in-flight write against the final flush.
function batchFor(stream: NodeJS.WritableStream): LineBatch | undefined {
  if (stream !== process.stderr) return undefined;
  return batchLines(pino.destination({ fd: 2, sync: true }));
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
  const options: pino.LoggerOptions = {
    messageKey: 'message',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: redactPaths(), censor: REDACTED },
    mixin() {
      const scope = currentRequestScope();
      return scope ? { request_id: scope.id } : {};
    },
  };
  const batch = batchFor(stream);
  const destination = batch ?? (stream as pino.DestinationStream);
  const log = pino(options, destination);
  const write =
    (level: 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => {
      if (fields) log[level](scrubValue(fields) as object, scrubText(message));
      else log[level](scrubText(message));
    };
  // pino's line for `info('request', fields)`, up to the fields: level, time, pid, hostname.
  const head = `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())},"request_id":`;
  return {
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    request(requestId, fields) {
      if (!log.isLevelEnabled('info')) return;
      const line = flatFields(fields);
      if (line === undefined) {
        log.info({ request_id: requestId, ...(scrubValue(fields) as object) }, 'request');
        return;
      }
      const text = `{"level":"info","time":"${isoNow()}"${head}${stringValue(requestId)}${line},"message":"request"}\n`;
      if (batch) batch.queue(text);
      else destination.write(text);
    },
  };
}

/**
 * `fields` as pino writes them after the bindings (`,"key":value` each, redacted and scrubbed as
 * the other lines are), when every value is a string, a number, a boolean, null or undefined;
 * otherwise undefined (pino writes that line).
 */
function flatFields(fields: Record<string, unknown>): string | undefined {
  let line = '';
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined || !Object.hasOwn(fields, key)) continue;
    const prefix = fieldPrefix(key);
    let json: string;
    if (prefix === undefined) {
      line += `,${jsonString(key)}:"${REDACTED}"`;
      continue;
    }
    if (typeof value === 'string') {
      json = stringValue(value);
    } else if (typeof value === 'number') json = Number.isFinite(value) ? String(value) : 'null';
    else if (typeof value === 'boolean' || value === null) json = String(value);
    else return undefined;
    line += prefix + json;
  }
  return line;
}

// `,"key":` by field name, or undefined for a secret's name; the access line's few names, and at
// most a few hundred of any others.
const prefixes = new Map<string, string | undefined>();

function fieldPrefix(key: string): string | undefined {
  if (prefixes.has(key)) return prefixes.get(key);
  const prefix = isSecretField(key) ? undefined : `,${jsonString(key)}:`;
  if (prefixes.size >= 256) prefixes.clear();
  prefixes.set(key, prefix);
  return prefix;
}

// What JSON.stringify may escape in a string: quotes, backslashes, control characters and unpaired
// UTF-16 surrogates (and a few characters it leaves as they are, which it is asked about anyway).
const NEEDS_ESCAPING = /["\\\p{Cc}\p{Cs}]/u;
// A value with none of these is written as it is: nothing to escape (NEEDS_ESCAPING) and nothing
// scrubText could replace (its own first test, MAYBE_SECRET in redaction.ts).
const NOT_PLAIN = /["\\\p{Cc}\p{Cs}=:]|bearer|basic|dpop|eyJ/iu;

/** A string value as logged: scrubbed and escaped, or, as most are, neither. */
function stringValue(value: string): string {
  return NOT_PLAIN.test(value) ? jsonString(scrubText(value)) : `"${value}"`;
}

/** `JSON.stringify(text)`, quoted directly when nothing in it needs escaping (most fields). */
function jsonString(text: string): string {
  return NEEDS_ESCAPING.test(text) ? JSON.stringify(text) : `"${text}"`;
}

let lastMs = -1;
let lastIso = '';
let lastSecond = -1;
// `YYYY-MM-DDTHH:mm:ss.` of `lastSecond`.
let secondPrefix = '';

/**
 * `new Date().toISOString()`, formatted once per millisecond, and its date and time up to the
 * second once per second: `toISOString` costs about a microsecond, and under load a new
 * millisecond comes with almost every request.
 */
function isoNow(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    const ms = now % 1000;
    const second = now - ms;
    // Years 0 to 9999 only: toISOString writes others with a sign and six digits.
    if (ms < 0 || now >= 253_402_300_800_000) lastIso = new Date(now).toISOString();
    else {
      if (second !== lastSecond) {
        lastSecond = second;
        secondPrefix = new Date(second).toISOString().slice(0, 20);
      }
      lastIso = `${secondPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
    }
  }
  return lastIso;
}

/** A logger that drops everything, for tests and embedding. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {}, request() {} };
