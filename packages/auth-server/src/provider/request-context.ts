import { AsyncLocalStorage } from 'node:async_hooks';
import type Koa from 'koa';

/** What the adapter may know of the request it serves. */
export interface RequestContext {
  path: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Middleware (on the provider) that makes the request's path visible to the adapter. */
export function requestContextMiddleware(): Koa.Middleware {
  return (ctx, next) => storage.run({ path: ctx.path }, next);
}

/** The path of the request being served, if any. */
export function currentPath(): string | undefined {
  return storage.getStore()?.path;
}
