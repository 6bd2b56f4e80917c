/** Stable codes of the auth server's own errors; compare by `code`. */
export type AuthServerErrorCode = 'invalid_input' | 'not_found' | 'conflict' | 'config_invalid';

/**
 * What an error is about, for callers that name it in their own terms: the CLI names a field by
 * its option (`--redirect-uri`), `portcullis apply` by the declaration file's key and position
 * (`clients[2].redirect_uris[0]`), the doctor a setting by its variable.
 */
export interface ErrorSubject {
  /** A service input field, camelCase as in the service's input type: `accessTokenTtl`. */
  field?: string;
  /** The item of the list `field` the error is about, by its position in the input. */
  index?: number;
  /** The offending value. */
  value?: unknown;
  /**
   * The message is a predicate on `field`, to be read after the field's name in the caller's
   * terms: `must be from 1s to 1d`. Otherwise the message names what it is about itself
   * (`redirect URI "..." must use https`), and `field` only says where that is.
   */
  predicate?: boolean;
  /** A configuration setting, by its environment variable: `PORTCULLIS_ISSUER`. */
  setting?: string;
}

/**
 * An error the operator or caller caused, with a neutral message fit to show them: no command
 * option or file key, which the caller adds from the {@link ErrorSubject}.
 *
 * @example
 * throw new AuthServerError('invalid_input', 'must be from 1s to 1d', {
 *   field: 'accessTokenTtl',
 *   value: '3d',
 *   predicate: true,
 * });
 */
export class AuthServerError extends Error implements ErrorSubject {
  readonly code: AuthServerErrorCode;
  readonly expose = true;
  // Declared, not defined: only the parts given become own properties (Object.assign below).
  declare readonly field?: string;
  declare readonly index?: number;
  declare readonly value?: unknown;
  declare readonly predicate?: boolean;
  declare readonly setting?: string;

  constructor(
    code: AuthServerErrorCode,
    message: string,
    options: ErrorSubject & { cause?: unknown } = {},
  ) {
    const { cause, ...subject } = options;
    super(message, 'cause' in options ? { cause } : undefined);
    this.name = 'AuthServerError';
    this.code = code;
    Object.assign(this, subject);
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
