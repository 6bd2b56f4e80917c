import type { Context, Middleware } from 'koa';
import { getRealm } from '../http/realm-state.ts';
import { sendError } from '../http/send-error.ts';
import type { OptionalAuthState } from '../types.ts';
import { createLimiter, type LimiterOptions } from './create-limiter.ts';

/**
 * Options of {@link throttle}; `by` as a function gets the Koa context, and requests without a
 * token are counted per `ctx.ip` (which honours `X-Forwarded-For` only when the Koa app has
 * `proxy` set).
 */
export type ThrottleOptions = LimiterOptions<Context>;

/**
 * Koa middleware that limits how often one client, subject or custom key may call, like DRF's
 * `ScopedRateThrottle` and django-oauth-toolkit's per-client throttle. Over the limit it answers
 * 429 with `Retry-After` (seconds) and `{"error":"rate_limited","error_description":...}`, and
 * does not call `next`; refused requests are not counted, so a client that keeps retrying gets
 * its full rate again as the window moves. Mount it after `rs.authenticate()`. Keys are never
 * derived from the token itself (a client with many tokens is still one client). Options are
 * validated here; a failing store is met as `onStoreError` says.
 *
 * @example
 * router.post('/notes', rs.authenticate(), throttle({ rate: '10/min', by: 'subject' }), createNote);
 */
export function throttle(options: ThrottleOptions): Middleware<OptionalAuthState> {
  const limiter = createLimiter(options);
  return async function throttleMiddleware(ctx, next) {
    const realm = getRealm(ctx.state);
    const id = limiter.identify(ctx, {
      authenticated: realm !== undefined,
      auth: ctx.state.auth,
      address: () => ctx.ip,
    });
    if (id === undefined) return next();
    const refusal = await limiter.hit(id, (error) => ctx.app.emit('error', error, ctx));
    if (refusal !== undefined) return sendError(ctx, refusal, realm ?? '');
    await next();
  };
}
