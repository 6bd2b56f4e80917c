import { isDatabaseUnavailable } from '@portcullis/storage';
import type Koa from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { DatabaseUnavailableError } from '../errors.ts';
import { afterResponse } from './after-response.ts';
import { providerPages } from './pages.ts';

/** Seconds a client is told to wait when the database is unavailable. */
const RETRY_AFTER_SECONDS = '5';

const isUnavailable = (error: unknown) =>
  error instanceof DatabaseUnavailableError || isDatabaseUnavailable(error);

/** The 503 answer to a database outage; see {@link answerUnavailable}. */
export interface UnavailableAnswer {
  /** `server_error` listener: notes a failure caused by an unreachable database. */
  onServerError(ctx: object, error: unknown): void;
  /** Provider middleware (the outermost): answers the noted or thrown outage with 503. */
  readonly middleware: Koa.Middleware;
}

/**
 * Answers 503 `temporarily_unavailable` with `Retry-After` whenever a request failed because
 * PostgreSQL could not be reached — wherever that happened: in the adapter (which already says
 * so), in a hook of ours that oidc-provider calls (accounts, resources, grants: it would answer
 * 500 `server_error`, and emits `server_error`), or after its error handling (saving a session,
 * committing held writes: Koa would answer a bare 500; the error is thrown). Browsers get the
 * error page, everyone else oidc-provider's JSON error. Every 503 carries `Retry-After`.
 *
 * @example
 * const unavailable = answerUnavailable();
 * provider.on('server_error', unavailable.onServerError);
 * provider.use(unavailable.middleware);
 */
export function answerUnavailable(): UnavailableAnswer {
  const failed = afterResponse<true>(answer503);
  return {
    onServerError(ctx, error) {
      if (isUnavailable(error)) failed.note(ctx, true);
    },
    async middleware(ctx, next) {
      try {
        await next();
        await failed.settle(ctx);
      } catch (error) {
        if (!isUnavailable(error)) throw error;
        await answer503(ctx);
      }
      if (ctx.status === 503) ctx.set('Retry-After', RETRY_AFTER_SECONDS);
    },
  };
}

async function answer503(ctx: Koa.Context): Promise<void> {
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
