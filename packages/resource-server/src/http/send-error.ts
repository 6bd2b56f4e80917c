import type { Context } from 'koa';
import {
  errorCodes,
  type InsufficientScopeError,
  type ResourceServerError,
  type TemporarilyUnavailableError,
} from '../errors.ts';

function challenge(realm: string, error: ResourceServerError): string {
  // No credentials at all: RFC 6750 §3.1 says the challenge carries no error code.
  if (error.code === errorCodes.credentialsRequired) return `Bearer realm="${realm}"`;
  // Realm, descriptions and scopes are validated or fixed strings, so quoting needs no escapes.
  let value = `Bearer realm="${realm}", error="${error.error}", error_description="${error.description}"`;
  if (error.code === errorCodes.insufficientScope) {
    value += `, scope="${(error as InsufficientScopeError).scope}"`;
  }
  return value;
}

/**
 * The one place where this package's errors become HTTP responses: status, RFC 6750
 * `WWW-Authenticate` challenge (4xx), `Retry-After` (503) and a JSON body
 * `{ error, error_description }`. A 503 caused by a failed fetch is emitted on the Koa app's
 * `error` event, so the host's logging sees why; the error carries no token.
 *
 * @example
 * sendError(ctx, new InvalidTokenError('the access token has expired'), 'http://localhost:4000');
 */
export function sendError(ctx: Context, error: ResourceServerError, realm: string): void {
  ctx.status = error.status;
  if (error.code === errorCodes.temporarilyUnavailable) {
    ctx.set('Retry-After', String((error as TemporarilyUnavailableError).retryAfterSeconds));
    // Fast failures during the cooldown have no cause: log only the attempt that failed.
    if (error.cause !== undefined) ctx.app.emit('error', error, ctx);
  } else {
    ctx.set('WWW-Authenticate', challenge(realm, error));
  }
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { error: error.error, error_description: error.description };
}
