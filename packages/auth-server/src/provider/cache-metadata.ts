import type Koa from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * How long clients, resource servers and shared caches may keep the discovery documents and the
 * JWKS: 5 minutes, well under the hour a staged signing key is published before it signs
 * (keys/rotation-policy.ts), so every cache has the new key before the first token it signs.
 */
export const METADATA_MAX_AGE_SECONDS = 300;

// oidc-provider's route names of the discovery documents (both well-known paths) and the JWKS.
const CACHEABLE_ROUTES = new Set(['discovery', 'jwks']);

/**
 * A step of `afterAnswer` (after-response.ts): `Cache-Control: public, max-age=300` on the
 * discovery documents and the JWKS, which oidc-provider sends without one. They are the same for everyone (every URL in them
 * comes from the issuer: provider/issuer-urls.ts), so a shared cache may keep them. Errors keep
 * whatever oidc-provider said.
 *
 * @example
 * provider.use(afterAnswer(cacheMetadata));
 */
export function cacheMetadata(ctx: Koa.Context): undefined {
  const route = (ctx as Partial<KoaContextWithOIDC>).oidc?.route;
  if (route && CACHEABLE_ROUTES.has(route) && ctx.status === 200) {
    ctx.set('Cache-Control', `public, max-age=${METADATA_MAX_AGE_SECONDS}`);
  }
}
