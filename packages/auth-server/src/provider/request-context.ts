import type Koa from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { RequestLocal } from '../request-locals.ts';
import { flushPendingWrites } from './artifact-reads.ts';
import { type HeldWrites, settleHeldWrites } from './held-writes.ts';

/**
 * A rotated refresh token presented again at the token endpoint and refused (adapter.ts): within
 * the grace window the adapter refused it and the grant lives on; after it oidc-provider revoked
 * the whole grant.
 */
export type RefreshTokenReuse = 'within_grace_window' | 'grant_revoked';

/** What the adapter may know of the request it serves, and what it tells the pipeline. */
export interface RequestContext {
  /** oidc-provider's name of the route served (`token`, `introspection`...), once routed. */
  readonly route: string | undefined;
  /** Writes the adapter holds back until the response is known (held-writes.ts). */
  held?: HeldWrites;
  /** The id of a consumed refresh token the adapter handed to the token endpoint. */
  consumedRefreshTokenId?: string;
  /** Set by the adapter when this request reused a refresh token (audited by the pipeline). */
  refreshTokenReuse?: RefreshTokenReuse;
}

const contexts = new RequestLocal<RequestContext>();

// A class, not an object literal with a getter: V8 builds such a literal slowly, on every request.
class ProviderRequestContext implements RequestContext {
  held?: HeldWrites;
  consumedRefreshTokenId?: string;
  refreshTokenReuse?: RefreshTokenReuse;
  readonly #ctx: Partial<KoaContextWithOIDC>;

  constructor(ctx: Koa.Context) {
    this.#ctx = ctx as Partial<KoaContextWithOIDC>;
  }

  // Read when asked: oidc-provider names the route only once its router has matched it.
  get route(): string | undefined {
    return this.#ctx.oidc?.route;
  }
}

/**
 * Middleware (on the provider) that makes the request's route visible to the adapter, and
 * settles the writes it held back once oidc-provider has answered (and the deletions it left
 * waiting for a next write, artifact-reads.ts). A request that left nothing to write (every
 * client-credentials token) waits for nothing more once oidc-provider has answered.
 *
 * @example
 * provider.use(requestContextMiddleware());
 */
export function requestContextMiddleware(): Koa.Middleware {
  return (ctx, next) => {
    const context = new ProviderRequestContext(ctx);
    const settle = () =>
      context.held ? settleHeldWrites(ctx as KoaContextWithOIDC, context.held) : undefined;
    // Deletions left waiting for a next write that never came, before the response goes; then,
    // after a success, the held writes.
    return contexts.run(context, next).then(
      () => {
        const flushing = flushPendingWrites();
        return flushing ? flushing.then(settle) : settle();
      },
      (error: unknown) => {
        const flushing = flushPendingWrites();
        if (!flushing) throw error;
        return flushing.then(() => {
          throw error;
        });
      },
    );
  };
}

/**
 * The request being served, if any.
 *
 * @example
 * if (currentRequest()?.route === 'token') holdTheWrite();
 */
export function currentRequest(): RequestContext | undefined {
  return contexts.get();
}
