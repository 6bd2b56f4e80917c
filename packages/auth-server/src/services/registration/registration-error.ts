/** The error codes of RFC 7591 §3.2.2 and RFC 7592, and RFC 6750's for a bad token. */
export type RegistrationErrorCode =
  | 'invalid_token'
  | 'invalid_request'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata';

/**
 * A refused registration or management request, as the registration endpoint answers it:
 * `{"error": code, "error_description": message}` with `status` (401 for a missing or wrong
 * token, 400 otherwise). The message never repeats a presented token.
 *
 * @example
 * throw new RegistrationError('invalid_redirect_uri', 'redirect URI "x" is not an absolute URI');
 */
export class RegistrationError extends Error {
  readonly code: RegistrationErrorCode;
  readonly status: number;
  readonly expose = true;

  constructor(code: RegistrationErrorCode, message: string) {
    super(message);
    this.name = 'RegistrationError';
    this.code = code;
    this.status = code === 'invalid_token' ? 401 : 400;
  }
}
