import type { Context, Middleware } from 'koa';
import {
  type ApiError,
  isApiError,
  MethodNotAllowedError,
  NotFoundError,
  NotImplementedError,
  ServerError,
} from '../errors.ts';
import { finishedAtOnce } from '../routing/chain.ts';

// Statuses the router or Koa set without a body: give them the same JSON shape.
function errorForEmptyResponse(status: number): ApiError | undefined {
  if (status === 404) return new NotFoundError('no such route');
  if (status === 405) return new MethodNotAllowedError();
  if (status === 501) return new NotImplementedError();
  return undefined;
}

function send(ctx: Context, error: ApiError): void {
  ctx.status = error.status;
  ctx.body = { error: error.error, error_description: error.description };
}

/**
 * The one place where errors become HTTP responses: an `ApiError` answers with its status and
 * `{ error, error_description }`; anything else is a 500 `{"error":"server_error"}` without the
 * stack, reported on the app's `error` event for logging. A request no route answered becomes a
 * JSON 404, and the router's bodiless 405/501 get JSON too (keeping `Allow`). Responses written
 * by `@portcullis/resource-server` (401/403/503) have bodies and pass through as they are.
 *
 * It guards `next`, or `inner` when given (then it runs `inner` itself, with `next` after it):
 * an `inner` composed by `composeChain` that finishes without waiting is answered at once, with
 * no promise reaction of its own.
 *
 * @example
 * app.use(errorBoundary());
 * app.use(errorBoundary(composeChain([normalizePath(), routes.routes()])));
 */
export function errorBoundary(inner?: Middleware): Middleware {
  return function errorBoundaryMiddleware(ctx, next) {
    let result: unknown;
    try {
      result = inner === undefined ? next() : inner(ctx, next);
    } catch (error) {
      answerError(ctx, error);
      return finishedAtOnce;
    }
    if (result === finishedAtOnce || !(result instanceof Promise)) {
      answerEmpty(ctx);
      return finishedAtOnce;
    }
    return result.then(
      () => answerEmpty(ctx),
      (error: unknown) => answerError(ctx, error),
    );
  };
}

function answerError(ctx: Context, error: unknown): void {
  const apiError = isApiError(error) ? error : new ServerError({ cause: error });
  if (!apiError.expose) ctx.app.emit('error', error, ctx);
  // Headers set for the response that failed must not leak into the error response.
  for (const name of ctx.res.getHeaderNames()) ctx.remove(name);
  send(ctx, apiError);
}

function answerEmpty(ctx: Context): void {
  if (ctx.body != null) return;
  const empty = errorForEmptyResponse(ctx.status);
  if (empty !== undefined) send(ctx, empty);
}
