import type { ErrorSubject } from '@portcullis/auth-server/config';
import { flagOf } from './field-flags.ts';

/** A failure to report as one line on stderr with a non-zero exit. */
export class CliError extends Error {
  readonly code = 'cli_error';
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'ECONNRESET',
  '28P01',
  '3D000',
]);

/**
 * One line that explains `error` to an operator, without a stack trace. A service error whose
 * message is a predicate on an input field is preceded by the flag that gives the field.
 *
 * @example
 * describeError(new AuthServerError('invalid_input', 'must be from 1s to 1d', {
 *   field: 'accessTokenTtl',
 *   predicate: true,
 * })); // '--access-token-ttl must be from 1s to 1d'
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) {
    return `cannot reach the database (${code}): check DATABASE_URL`;
  }
  if (error.message.includes('Timeout acquiring a connection')) {
    return 'cannot reach the database (timed out): check DATABASE_URL';
  }
  const line = error.message.split('\n')[0] ?? 'failed';
  const { field, predicate } = error as ErrorSubject;
  return predicate && field !== undefined ? `${flagOf(field)} ${line}` : line;
}
