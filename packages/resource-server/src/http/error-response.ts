import {
  errorCodes,
  type InsufficientScopeError,
  type RateLimitedError,
  type ResourceServerError,
  type TemporarilyUnavailableError,
} from '../errors.ts';
import type { ChallengeSettings } from './challenge-state.ts';

/** An error answer, whatever framework writes it: status, headers and the JSON body. */
export interface ErrorResponse {
  readonly status: number;
  /** Header names in lower case: `www-authenticate`, `retry-after`, `cache-control`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: { readonly error: string; readonly error_description: string };
}

/** What the challenge of an error answer depends on, recorded when the request was authenticated. */
export interface Challenge {
  /** `realm` of the challenges. */
  readonly realm: string;
  /** The schemes accepted and the metadata URL; undefined before authentication ran. */
  readonly settings: ChallengeSettings | undefined;
  /** The request presented its token with the DPoP scheme. */
  readonly dpopUsed: boolean;
}

type Scheme = 'Bearer' | 'DPoP';

// Before `authenticate()` ran (or in a host that never calls it) the answer is plain RFC 6750.
const bearerOnly: ChallengeSettings = {
  bearer: true,
  dpopAlgs: undefined,
  resourceMetadata: undefined,
};

// Errors about credentials get a challenge; 429 and 503 do not, since another token would not
// change the answer.
const challenged: ReadonlySet<string> = new Set([
  errorCodes.invalidRequest,
  errorCodes.credentialsRequired,
  errorCodes.invalidToken,
  errorCodes.insufficientScope,
  errorCodes.invalidDpopProof,
]);

// Realm, descriptions, scopes, algorithms and the metadata URL are validated or fixed strings,
// so quoting needs no escapes.
function trailing(scheme: Scheme, settings: ChallengeSettings): string {
  let value = scheme === 'DPoP' ? `, algs="${settings.dpopAlgs}"` : '';
  // RFC 9728 §5.1: tells the client where to learn which authorization server to ask.
  if (settings.resourceMetadata !== undefined) {
    value += `, resource_metadata="${settings.resourceMetadata}"`;
  }
  return value;
}

function bare(scheme: Scheme, realm: string, settings: ChallengeSettings): string {
  return `${scheme} realm="${realm}"${trailing(scheme, settings)}`;
}

function withError(
  scheme: Scheme,
  realm: string,
  error: ResourceServerError,
  settings: ChallengeSettings,
): string {
  let value = `${scheme} realm="${realm}", error="${error.error}", error_description="${error.description}"`;
  if (error.code === errorCodes.insufficientScope) {
    value += `, scope="${(error as InsufficientScopeError).scope}"`;
  }
  return value + trailing(scheme, settings);
}

function challengeHeader(error: ResourceServerError, challenge: Challenge): string {
  const { realm } = challenge;
  const settings = challenge.settings ?? bearerOnly;
  const accepted: Scheme[] = [];
  if (settings.bearer) accepted.push('Bearer');
  if (settings.dpopAlgs !== undefined) accepted.push('DPoP');
  // No credentials at all: RFC 6750 §3.1 says the challenge carries no error code; every
  // accepted scheme is offered (RFC 9449 §7.2).
  if (error.code === errorCodes.credentialsRequired) {
    return accepted.map((scheme) => bare(scheme, realm, settings)).join(', ');
  }
  // The error belongs to the scheme the token came with; the other accepted scheme follows bare.
  const used: Scheme = challenge.dpopUsed || !settings.bearer ? 'DPoP' : 'Bearer';
  return [
    withError(used, realm, error, settings),
    ...accepted.filter((scheme) => scheme !== used).map((scheme) => bare(scheme, realm, settings)),
  ].join(', ');
}

/**
 * The one place where this package's errors become HTTP answers, for every framework: status,
 * RFC 6750 / RFC 9449 `WWW-Authenticate` challenges (400, 401, 403; with `resource_metadata` when
 * configured), `Retry-After` (429, 503), `Cache-Control: no-store` and a JSON body
 * `{ error, error_description }`. The challenges follow `challenge`: the schemes accepted and the
 * one used.
 *
 * @example
 * errorResponse(new InvalidTokenError('the access token has expired'), challenge).status; // 401
 */
export function errorResponse(error: ResourceServerError, challenge: Challenge): ErrorResponse {
  const headers: Record<string, string> = {};
  if (error.code === errorCodes.temporarilyUnavailable || error.code === errorCodes.rateLimited) {
    const retryAfter = (error as TemporarilyUnavailableError | RateLimitedError).retryAfterSeconds;
    headers['retry-after'] = String(retryAfter);
  } else if (challenged.has(error.code)) {
    headers['www-authenticate'] = challengeHeader(error, challenge);
  }
  headers['cache-control'] = 'no-store';
  return {
    status: error.status,
    headers,
    body: { error: error.error, error_description: error.description },
  };
}

/**
 * RFC 6750 has no code for "valid token, right scopes, still not allowed" (not the owner, a claim
 * that does not match): a plain 403 without a challenge, because a challenge tells clients to get
 * another token, and no token would help. `description` is a fixed sentence.
 *
 * @example
 * forbiddenResponse('only the owner of this resource may do this').status; // 403
 */
export function forbiddenResponse(description: string): ErrorResponse {
  return {
    status: 403,
    headers: { 'cache-control': 'no-store' },
    body: { error: 'forbidden', error_description: description },
  };
}
