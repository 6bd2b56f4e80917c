import { AsyncLocalStorage } from 'node:async_hooks';
import type Koa from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { type HeldWrites, settleHeldWrites } from './held-writes.ts';

/** What the adapter may know of the request it serves. */
export interface RequestContext {
  path: string;
  /** Writes the adapter holds back until the response is known (held-writes.ts). */
  held?: HeldWrites;
}

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * Middleware (on the provider) that makes the request's path visible to the adapter, and
 * settles the writes it held back once oidc-provider has answered.
 */
export function requestContextMiddleware(): Koa.Middleware {
  return async (ctx, next) => {
    const context: RequestContext = { path: ctx.path };
    await storage.run(context, next);
    if (context.held) await settleHeldWrites(ctx as KoaContextWithOIDC, context.held);
  };
}

/** The request being served, if any. */
export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

/** The path of the request being served, if any. */
export function currentPath(): string | undefined {
  return storage.getStore()?.path;
}
