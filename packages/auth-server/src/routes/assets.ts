import { createHash } from 'node:crypto';
import type Koa from 'koa';
import { faviconIco } from '../views/favicon.ts';
import { STYLESHEET } from '../views/styles.ts';

/** A file we serve ourselves, with its caching headers. */
export interface Asset {
  type: string;
  body: string | Buffer;
  etag: string;
  maxAgeSeconds: number;
}

function asset(type: string, body: string | Buffer, maxAgeSeconds: number): Asset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
  return { type, body, etag, maxAgeSeconds };
}

/** The pages' only stylesheet, at `/assets/portcullis.css` (views/html.ts links it). */
export const STYLESHEET_ASSET = asset('text/css; charset=utf-8', STYLESHEET, 3600);

/**
 * `/favicon.ico`: browsers ask for it on every page; it rarely changes, and its ETag revalidates
 * it when it does.
 */
export const FAVICON_ASSET = asset('image/x-icon', faviconIco(), 86_400);

/**
 * A `GET` route's handler serving one of our assets: from here (no CDN, nothing from anywhere
 * else), cacheable, with an ETag.
 *
 * @example
 * const favicon = serveAsset(FAVICON_ASSET); // the handler of GET /favicon.ico
 */
export function serveAsset(found: Asset): Koa.Middleware {
  return (ctx) => {
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
