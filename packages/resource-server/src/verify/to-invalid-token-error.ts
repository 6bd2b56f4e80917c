import { InvalidTokenError } from '../errors.ts';

// Fixed sentences per failure: `error_description` must never echo anything from the token
// (RFC 6750 limits its characters, and echoing invites header injection and reflection).
const byClaim: Record<string, string> = {
  typ: 'the token is not an access token (typ must be at+jwt)',
  iss: 'the access token was issued by another issuer',
  aud: 'the access token is not intended for this resource',
  nbf: 'the access token is not valid yet',
  exp: 'the access token has expired',
};

const byCode: Record<string, string> = {
  ERR_JWT_EXPIRED: 'the access token has expired',
  ERR_JOSE_ALG_NOT_ALLOWED: 'the access token is signed with an algorithm that is not allowed',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'the access token signature is invalid',
};

/**
 * Turns any error jose raised while verifying a token into a 401 `InvalidTokenError` with a
 * fixed description chosen by jose's stable `code` (and `claim`), keeping jose's error as the
 * cause for logs.
 *
 * @example
 * try { await jwtVerify(token, getKey, options) } catch (e) { throw toInvalidTokenError(e) }
 */
export function toInvalidTokenError(error: unknown): InvalidTokenError {
  const { code, claim, reason } = (error ?? {}) as {
    code?: unknown;
    claim?: unknown;
    reason?: unknown;
  };
  let description = 'the access token is malformed';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    if (reason === 'missing') description = 'the access token lacks a required claim';
    else if (
      reason === 'check_failed' &&
      typeof claim === 'string' &&
      Object.hasOwn(byClaim, claim)
    ) {
      description = byClaim[claim]!;
    } else description = 'the access token has an invalid claim';
  } else if (code === 'ERR_JWT_EXPIRED' && claim === 'iat') {
    // jose's maxTokenAge check: issued longer ago than `maxTokenAgeSeconds`.
    description = 'the access token is older than this resource accepts';
  } else if (typeof code === 'string' && Object.hasOwn(byCode, code)) {
    description = byCode[code]!;
  }
  return new InvalidTokenError(description, { cause: error });
}
