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

/**
 * Middleware (on the provider) that makes the request's route visible to the adapter, and
 * settles the writes it held back once oidc-provider has answered (and the deletions it left
 * waiting for a next write, artifact-reads.ts).
 *
 * @example
 * provider.use(requestContextMiddleware());
 */
export function requestContextMiddleware(): Koa.Middleware {
  return async (ctx, next) => {
    const context: RequestContext = {
      // Read when asked: oidc-provider names the route only once its router has matched it.
      get route() {
        return (ctx as Partial<KoaContextWithOIDC>).oidc?.route;
      },
    };
    try {
      await contexts.run(context, next);
    } finally {
      // Deletions left waiting for a next write that never came, before the response goes.
      await flushPendingWrites();
    }
    if (context.held) await settleHeldWrites(ctx as KoaContextWithOIDC, context.held);
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
