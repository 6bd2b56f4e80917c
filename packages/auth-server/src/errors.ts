/** Stable codes of the auth server's own errors; compare by `code`. */
export type AuthServerErrorCode = 'invalid_input' | 'not_found' | 'conflict' | 'config_invalid';

/** An error the operator or caller caused, with a message fit to show them. */
export class AuthServerError extends Error {
  readonly code: AuthServerErrorCode;
  readonly expose = true;

  constructor(code: AuthServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthServerError';
    this.code = code;
  }
}

/**
 * Thrown inside oidc-provider's request handling when PostgreSQL cannot be reached. It carries
 * the fields oidc-provider's error handler renders, so the client sees 503
 * `temporarily_unavailable` (with `Retry-After`, set by the host app) instead of a 500.
 */
export class DatabaseUnavailableError extends Error {
  readonly code = 'temporarily_unavailable';
  readonly error = 'temporarily_unavailable';
  readonly error_description = 'the service is temporarily unavailable, retry later';
  readonly status = 503;
  readonly statusCode = 503;
  readonly expose = true;

  constructor(cause: unknown) {
    super('temporarily_unavailable', { cause });
    this.name = 'DatabaseUnavailableError';
  }
}
