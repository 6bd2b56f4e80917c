import type Koa from 'koa';

/**
 * What runs once the middleware inside it has answered: reads, and may rewrite, the status, body
 * and headers. Returns a promise only when it has something to wait for.
 */
export type AnswerStep = (ctx: Koa.Context) => Promise<void> | undefined;

/**
 * One provider middleware for `steps`, given outermost first: the same as registering each as
 * its own middleware (`await next()`, then the step), in that order, so the last step runs first
 * and each sees the answer the ones after it left; an error thrown by a step skips the ones
 * before it, as it would leave their `await next()`. One layer instead of one per step: every
 * Koa layer is a promise and a dispatch on every request (docs/benchmarks.md).
 *
 * @example
 * provider.use(afterAnswer(answerUnknownTokensInactive, clientAuth.settle, cacheMetadata));
 */
export function afterAnswer(...steps: AnswerStep[]): Koa.Middleware {
  const innermostFirst = [...steps].reverse();
  return async (ctx, next) => {
    await next();
    for (const step of innermostFirst) {
      const pending = step(ctx);
      if (pending) await pending;
    }
  };
}

/** A note taken on a request while oidc-provider serves it, acted on once it has answered. */
export interface AfterResponse<T> {
  /** Notes `value` for the request of `ctx` (a later note on the same request replaces it). */
  note(ctx: object, value: T): void;
  /** The step of {@link afterAnswer}: acts on the request's note, if any. */
  readonly settle: AnswerStep;
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
  const settle: AnswerStep = (ctx) =>
    notes.has(ctx) ? Promise.resolve(act(ctx, notes.get(ctx) as T)) : undefined;
  return {
    note(ctx, value) {
      notes.set(ctx, value);
    },
    settle,
    async middleware(ctx, next) {
      await next();
      await settle(ctx);
    },
  };
}
