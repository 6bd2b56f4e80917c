import { createHash } from 'node:crypto';
import type Koa from 'koa';
import type { Brand, BrandLogo } from '../views/brand.ts';
import { faviconIco } from '../views/favicon.ts';
import { PASSKEY_SCRIPT } from '../views/passkey-script.ts';
import { brandStyles, STYLESHEET } from '../views/styles.ts';

/** A file we serve ourselves, with its caching headers. */
export interface Asset {
  type: string;
  body: string | Buffer;
  etag: string;
  maxAgeSeconds: number;
}

/**
 * One of our files as an {@link Asset}: its ETag from its content.
 *
 * @example
 * const css = asset('text/css; charset=utf-8', CONSOLE_STYLESHEET, 3600);
 */
export function asset(type: string, body: string | Buffer, maxAgeSeconds: number): Asset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
  return { type, body, etag, maxAgeSeconds };
}

/**
 * The pages' only stylesheet, at `/assets/portcullis.css` (views/html.ts links it), in the
 * brand's colour when one is configured.
 */
export function stylesheetAsset(brand: Brand): Asset {
  const css = brand.color ? STYLESHEET + brandStyles(brand.color) : STYLESHEET;
  return asset('text/css; charset=utf-8', css, 3600);
}

/** The passkey script (views/passkey-script.ts), at `/assets/passkeys.js`. */
export const PASSKEY_SCRIPT_ASSET = asset('text/javascript; charset=utf-8', PASSKEY_SCRIPT, 3600);

/** The brand's logo (PORTCULLIS_BRAND_LOGO, read at start), at `/assets/brand-logo`. */
export function logoAsset(logo: BrandLogo): Asset {
  return asset(logo.type, logo.body, 3600);
}

// An SVG opened on its own is a document: no script, no loads, sandboxed.
const LOGO_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

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
    if (found.type === 'image/svg+xml') ctx.set('Content-Security-Policy', LOGO_POLICY);
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
