import type { Middleware } from 'koa';

// Each middleware of a chain declares the state and context it needs (a rule needs `auth`, which
// `authenticate` sets, a route handler `params`): the chain as a whole is not checked.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyMiddleware = Middleware<any, any>;

/**
 * What a chain composed by {@link composeChain} returns when it finished without waiting on
 * anything: one promise, resolved once at start-up, shared by every such request. The error
 * boundary recognises it and answers without a promise reaction of its own.
 */
export const finishedAtOnce: Promise<void> = Promise.resolve();

// A middleware's result as `next()` hands it upstream: a promise as it is, a synchronous finish
// as the shared resolved promise, another thenable adopted.
function settled(result: unknown): Promise<void> {
  if (result instanceof Promise) return result;
  if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
    return Promise.resolve(result as PromiseLike<void>);
  }
  return finishedAtOnce;
}

/**
 * Composes middleware into one, as koa-compose does (each gets `next`, which runs the rest and
 * returns a promise; calling it twice rejects; an error thrown synchronously becomes a rejected
 * promise), but without a new promise per layer: a middleware that finishes synchronously (a
 * route answered from the verified-token cache) hands upstream {@link finishedAtOnce}, so a
 * request answered without waiting allocates no promise of ours.
 *
 * @example
 * app.use(composeChain([normalizePath(), routes.routes()]));
 */
export function composeChain(middleware: readonly AnyMiddleware[]): AnyMiddleware {
  return function chain(ctx, next) {
    let index = -1;
    const dispatch = (i: number): Promise<void> => {
      if (i <= index) return Promise.reject(new Error('next() called multiple times'));
      index = i;
      const fn = middleware[i];
      try {
        // Past the last one: whatever follows the chain.
        return settled(fn === undefined ? next() : fn(ctx, () => dispatch(i + 1)));
      } catch (error) {
        return Promise.reject(error);
      }
    };
    return dispatch(0);
  };
}
