import type { Middleware } from 'koa';
import type { ResolvedOptions } from '../config/resolve-options.ts';

/** The RFC 9728 path this middleware answers. */
const metadataPath = '/.well-known/oauth-protected-resource';

/**
 * The RFC 9728 §2 document of one resource server: `resource` (the audience),
 * `authorization_servers` (the issuer), `bearer_methods_supported` (`header` only: tokens in the
 * query or body are ignored), and, when configured, `scopes_supported`, `resource_name`,
 * `dpop_signing_alg_values_supported` and `dpop_bound_access_tokens_required`.
 *
 * @example
 * protectedResourceMetadata(resolveOptions({ issuer, audience })).resource; // audience
 */
function protectedResourceMetadata(config: ResolvedOptions): Record<string, unknown> {
  return {
    resource: config.audience,
    authorization_servers: [config.issuer],
    bearer_methods_supported: ['header'],
    ...(config.scopes !== undefined && { scopes_supported: config.scopes }),
    ...(config.resourceName !== undefined && { resource_name: config.resourceName }),
    ...(config.dpop !== undefined && {
      dpop_signing_alg_values_supported: config.dpop.algorithms,
      ...(config.dpop.required && { dpop_bound_access_tokens_required: true }),
    }),
  };
}

/**
 * Creates the middleware behind `rs.metadata()`: answers `GET` and `HEAD` of
 * `/.well-known/oauth-protected-resource` with the metadata (JSON, cacheable for five minutes:
 * it changes only with the configuration), and passes every other request on.
 *
 * @example
 * app.use(createMetadataMiddleware(config));
 */
export function createMetadataMiddleware(config: ResolvedOptions): Middleware {
  // Serialised once: the document depends only on the configuration.
  const body = JSON.stringify(protectedResourceMetadata(config));
  return async function protectedResourceMetadataMiddleware(ctx, next) {
    if (ctx.path !== metadataPath || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      return next();
    }
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.type = 'application/json';
    ctx.body = body;
  };
}
