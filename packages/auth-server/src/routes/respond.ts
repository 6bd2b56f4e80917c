import { isDatabaseUnavailable } from '@portcullis/storage';
import type Koa from 'koa';
import { PAGE_HEADERS, PASSKEY_PAGE_POLICY } from '../views/html.ts';
import { verbatim } from '../views/i18n.ts';
import { messagePage } from '../views/message-page.ts';
import { FormError } from './forms/read-form.ts';
import type { RouteContext, RouteHandler } from './route.ts';

/** Answers with one of our HTML pages. */
export function render(ctx: Koa.Context, status: number, body: string): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = body;
}

/**
 * Answers with one of our pages that has a passkey button: its policy lets our own script run
 * (views/passkey-script.ts), nothing else.
 */
export function renderWithScript(ctx: Koa.Context, status: number, body: string): void {
  ctx.set('Content-Security-Policy', PASSKEY_PAGE_POLICY);
  render(ctx, status, body);
}

/** The answer to a POST whose CSRF token (or session) does not check out. */
export function csrfFailed(ctx: Koa.Context): void {
  render(ctx, 403, messagePage('refused.title', 'refused.form', 'refused.reload'));
}

/** The login hint shown for every failed sign-in, whatever the cause (no account enumeration). */
export const LOGIN_FAILED = 'login.failed';

/**
 * First middleware of our page routers: the page headers on every answer, and bad forms turned
 * into a page instead of a 500. `onError` may claim other errors (return true when handled).
 */
export function pageBoundary(
  onError?: (ctx: Koa.Context, error: unknown) => boolean,
): Koa.Middleware {
  return async (ctx, next) => {
    ctx.set(PAGE_HEADERS);
    try {
      await next();
    } catch (error) {
      if (error instanceof FormError) {
        return render(ctx, error.status, messagePage('refused.title', verbatim(error.message)));
      }
      if (onError?.(ctx, error)) return;
      if (isDatabaseUnavailable(error) || (error as { statusCode?: number })?.statusCode === 503) {
        ctx.set('Retry-After', '5');
        return render(
          ctx,
          503,
          messagePage('unavailable.title', 'unavailable.message', 'unavailable.hint'),
        );
      }
      throw error;
    }
  };
}

/**
 * Puts page route handlers behind `boundary` (a {@link pageBoundary}), which answers what they
 * throw. A handler answers the request: nothing after it runs.
 *
 * @example
 * const guarded = behindBoundary(pageBoundary());
 * const showHome = guarded((ctx) => render(ctx, 200, homePage()));
 */
export function behindBoundary(
  boundary: Koa.Middleware,
): (handler: (ctx: RouteContext) => unknown) => RouteHandler {
  return (handler) => (ctx) =>
    boundary(ctx, async () => {
      await handler(ctx);
    });
}
