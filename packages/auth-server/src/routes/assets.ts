import { createHash } from 'node:crypto';
import type Koa from 'koa';
import { faviconIco } from '../views/favicon.ts';
import { STYLESHEET } from '../views/styles.ts';

interface Asset {
  type: string;
  body: string | Buffer;
  etag: string;
  maxAgeSeconds: number;
}

function asset(type: string, body: string | Buffer, maxAgeSeconds: number): Asset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
  return { type, body, etag, maxAgeSeconds };
}

const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ['/assets/portcullis.css', asset('text/css; charset=utf-8', STYLESHEET, 3600)],
  // Browsers ask for it on every page; it rarely changes, and the ETag revalidates it when it does.
  ['/favicon.ico', asset('image/x-icon', faviconIco(), 86_400)],
]);

/** The asset paths {@link assetRoutes} serves. */
export const ASSET_PATHS: readonly string[] = [...ASSETS.keys()];

/**
 * `GET /assets/portcullis.css`, the pages' only stylesheet, and `GET /favicon.ico`: served from
 * here (no CDN, nothing from anywhere else), cacheable, with an ETag.
 */
export function assetRoutes(): Koa.Middleware {
  return async (ctx, next) => {
    const found = ASSETS.get(ctx.path);
    if (!found || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    ctx.set('Cache-Control', `public, max-age=${found.maxAgeSeconds}`);
    ctx.set('ETag', found.etag);
    ctx.set('X-Content-Type-Options', 'nosniff');
    if (ctx.get('if-none-match') === found.etag) {
      ctx.status = 304;
      return;
    }
    ctx.type = found.type;
    ctx.body = found.body;
  };
}
