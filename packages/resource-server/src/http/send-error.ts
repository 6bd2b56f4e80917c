import type { Context } from 'koa';
import { errorCodes, type ResourceServerError } from '../errors.ts';
import { getChallengeSettings, wasDpopUsed } from './challenge-state.ts';
import { type ErrorResponse, errorResponse } from './error-response.ts';

/**
 * Writes an {@link ErrorResponse} to a Koa context.
 *
 * @example
 * sendResponse(ctx, forbiddenResponse('only the owner of this resource may do this'));
 */
export function sendResponse(ctx: Context, response: ErrorResponse): void {
  ctx.status = response.status;
  for (const [name, value] of Object.entries(response.headers)) ctx.set(name, value);
  ctx.body = response.body;
}

/**
 * Answers one of this package's errors on a Koa context ({@link errorResponse} gives the status,
 * challenges and body), following what `authenticate()` recorded on `ctx.state`: the schemes
 * accepted and the one used. A 503 caused by a failed fetch is emitted on the Koa app's `error`
 * event, so the host's logging sees why; the error carries no token.
 *
 * @example
 * sendError(ctx, new InvalidTokenError('the access token has expired'), 'http://localhost:4000');
 */
export function sendError(ctx: Context, error: ResourceServerError, realm: string): void {
  sendResponse(
    ctx,
    errorResponse(error, {
      realm,
      settings: getChallengeSettings(ctx.state),
      dpopUsed: wasDpopUsed(ctx.state),
    }),
  );
  // Fast failures during the cooldown have no cause: log only the attempt that failed.
  if (error.code === errorCodes.temporarilyUnavailable && error.cause !== undefined) {
    ctx.app.emit('error', error, ctx);
  }
}
