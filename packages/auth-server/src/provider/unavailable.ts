import { isDatabaseUnavailable } from '@portcullis/storage';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { DatabaseUnavailableError } from '../errors.ts';
import { providerPages } from './pages.ts';

/** Seconds a client is told to wait when the database is unavailable. */
export const RETRY_AFTER_SECONDS = '5';

const isUnavailable = (error: unknown) =>
  error instanceof DatabaseUnavailableError || isDatabaseUnavailable(error);

/**
 * Middleware (the provider's outermost) that answers 503 `temporarily_unavailable` with
 * `Retry-After` whenever a request failed because PostgreSQL could not be reached — wherever
 * that happened: in the adapter (which already says so), in a hook of ours that oidc-provider
 * calls (accounts, resources, grants: it would answer 500 `server_error`), or after its error
 * handling (saving a session, committing held writes: Koa would answer a bare 500). Browsers
 * get the error page, everyone else oidc-provider's JSON error.
 *
 * @example
 * provider.use(answerUnavailable(provider));
 */
export function answerUnavailable(provider: Provider): Koa.Middleware {
  const failed = new WeakSet<object>();
  provider.on('server_error', (ctx: object, error: unknown) => {
    if (isUnavailable(error)) failed.add(ctx);
  });
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      failed.add(ctx);
    }
    if (failed.has(ctx)) {
      ctx.status = 503;
      if (ctx.accepts('json', 'html') === 'html') {
        await providerPages.renderError(ctx as KoaContextWithOIDC, {
          error: 'temporarily_unavailable',
        });
      } else {
        const error = new DatabaseUnavailableError(undefined);
        ctx.body = { error: error.error, error_description: error.error_description };
      }
    }
    if (ctx.status === 503) ctx.set('Retry-After', RETRY_AFTER_SECONDS);
  };
}
