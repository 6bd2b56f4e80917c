/** Stable codes callers switch on; compare by `code`, never with `instanceof` across copies. */
export type StorageErrorCode = 'conflict' | 'not_found' | 'invalid' | 'unavailable';

/** A storage failure the caller can act on (a unique name taken, a row that is gone, ...). */
export class StorageError extends Error {
  readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
    this.code = code;
  }
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  '53300', // too_many_connections
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

// What knex and pg say, without a code, when the connection is gone or cannot be had.
const CONNECTION_ERROR_MESSAGES = [
  'Knex: Timeout acquiring a connection',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout expired',
  'Query read timeout',
];

/**
 * True when `error` means the database could not be reached (as opposed to a query that failed),
 * so that servers can answer 503 instead of 500.
 *
 * @example
 * catch (error) { if (isDatabaseUnavailable(error)) ctx.status = 503; else throw error; }
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return true;
  if (typeof message === 'string' && CONNECTION_ERROR_MESSAGES.some((m) => message.includes(m))) {
    return true;
  }
  // Wrapped by someone on the way (a transaction, our own DatabaseUnavailableError).
  return isDatabaseUnavailable(cause, depth + 1);
}

/** PostgreSQL's unique_violation. */
export function isUniqueViolation(error: unknown): boolean {
  return !!error && typeof error === 'object' && (error as { code?: unknown }).code === '23505';
}
