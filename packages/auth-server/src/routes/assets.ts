import { createHash } from 'node:crypto';
import type Koa from 'koa';
import { STYLESHEET } from '../interactions/styles.ts';

const ETAG = `"${createHash('sha256').update(STYLESHEET).digest('base64url').slice(0, 16)}"`;

/** `GET /assets/portcullis.css`: the pages' only stylesheet, served from here (no CDN). */
export function assetRoutes(): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path !== '/assets/portcullis.css' || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      return next();
    }
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.set('ETag', ETAG);
    ctx.set('X-Content-Type-Options', 'nosniff');
    if (ctx.get('if-none-match') === ETAG) {
      ctx.status = 304;
      return;
    }
    ctx.type = 'text/css; charset=utf-8';
    ctx.body = STYLESHEET;
  };
}
