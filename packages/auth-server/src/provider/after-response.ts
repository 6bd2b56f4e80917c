import type Koa from 'koa';

/** A note taken on a request while oidc-provider serves it, acted on once it has answered. */
export interface AfterResponse<T> {
  /** Notes `value` for the request of `ctx` (a later note on the same request replaces it). */
  note(ctx: object, value: T): void;
  /** Provider middleware: lets the inner ones answer, then acts on the request's note, if any. */
  readonly middleware: Koa.Middleware;
}

/**
 * oidc-provider reports what happened (an error, a success) in events emitted with the request's
 * context, but before its answer is final: a listener can only take a note, and acting on it
 * (counting a failure, turning 401 into 429, writing an audit event before the response leaves)
 * waits for middleware after `await next()`. This is that pairing: `note` from the listener,
 * `middleware` registered on the provider (provider/pipeline.ts decides where), `act` called once
 * per noted request. Requests without a note cost one WeakMap lookup.
 *
 * @example
 * const failures = afterResponse<string>((ctx, endpoint) => count(endpoint, ctx.ip));
 * provider.on('grant.error', (ctx, error) => {
 *   if (error.error === 'invalid_client') failures.note(ctx, 'token');
 * });
 * provider.use(failures.middleware);
 */
export function afterResponse<T>(
  act: (ctx: Koa.Context, noted: T) => Promise<void> | void,
): AfterResponse<T> {
  const notes = new WeakMap<object, T>();
  return {
    note(ctx, value) {
      notes.set(ctx, value);
    },
    async middleware(ctx, next) {
      await next();
      if (notes.has(ctx)) await act(ctx, notes.get(ctx) as T);
    },
  };
}
