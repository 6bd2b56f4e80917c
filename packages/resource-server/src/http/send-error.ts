import type { Context } from 'koa';
import {
  errorCodes,
  type InsufficientScopeError,
  type RateLimitedError,
  type ResourceServerError,
  type TemporarilyUnavailableError,
} from '../errors.ts';
import { type ChallengeSettings, getChallengeSettings, wasDpopUsed } from './challenge-state.ts';

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

function challenge(ctx: Context, realm: string, error: ResourceServerError): string {
  const settings = getChallengeSettings(ctx.state) ?? bearerOnly;
  const accepted: Scheme[] = [];
  if (settings.bearer) accepted.push('Bearer');
  if (settings.dpopAlgs !== undefined) accepted.push('DPoP');
  // No credentials at all: RFC 6750 §3.1 says the challenge carries no error code; every
  // accepted scheme is offered (RFC 9449 §7.2).
  if (error.code === errorCodes.credentialsRequired) {
    return accepted.map((scheme) => bare(scheme, realm, settings)).join(', ');
  }
  // The error belongs to the scheme the token came with; the other accepted scheme follows bare.
  const used: Scheme = wasDpopUsed(ctx.state) || !settings.bearer ? 'DPoP' : 'Bearer';
  return [
    withError(used, realm, error, settings),
    ...accepted.filter((scheme) => scheme !== used).map((scheme) => bare(scheme, realm, settings)),
  ].join(', ');
}

/**
 * The one place where this package's errors become HTTP responses: status, RFC 6750 / RFC 9449
 * `WWW-Authenticate` challenges (400, 401, 403; with `resource_metadata` when configured),
 * `Retry-After` (429, 503) and a JSON body `{ error, error_description }`. The challenges follow
 * what `authenticate()` recorded on `ctx.state`: the schemes accepted and the one used. A 503
 * caused by a failed fetch is emitted on the Koa app's `error` event, so the host's logging
 * sees why; the error carries no token.
 *
 * @example
 * sendError(ctx, new InvalidTokenError('the access token has expired'), 'http://localhost:4000');
 */
export function sendError(ctx: Context, error: ResourceServerError, realm: string): void {
  ctx.status = error.status;
  if (error.code === errorCodes.temporarilyUnavailable || error.code === errorCodes.rateLimited) {
    const retryAfter = (error as TemporarilyUnavailableError | RateLimitedError).retryAfterSeconds;
    ctx.set('Retry-After', String(retryAfter));
    // Fast failures during the cooldown have no cause: log only the attempt that failed.
    if (error.cause !== undefined) ctx.app.emit('error', error, ctx);
  } else if (challenged.has(error.code)) {
    ctx.set('WWW-Authenticate', challenge(ctx, realm, error));
  }
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { error: error.error, error_description: error.description };
}
