import type { Middleware } from 'koa';
import type { MetadataResponse } from './protected-resource-metadata.ts';
import { isMetadataRequest } from './protected-resource-metadata.ts';

/**
 * Creates the Koa middleware behind `rs.metadata()`: answers `GET` and `HEAD` of
 * `/.well-known/oauth-protected-resource` (and of the path RFC 9728 derives from an audience
 * with a path) with the metadata, and passes every other request on.
 *
 * @example
 * app.use(createMetadataMiddleware(protectedResourceMetadata(config)));
 */
export function createMetadataMiddleware(metadata: MetadataResponse): Middleware {
  return async function protectedResourceMetadataMiddleware(ctx, next) {
    if (!isMetadataRequest(ctx.method, ctx.path, metadata)) return next();
    ctx.set('Cache-Control', metadata.headers['cache-control']!);
    ctx.type = 'application/json';
    ctx.body = metadata.body;
  };
}
