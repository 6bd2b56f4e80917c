import type Koa from 'koa';
import { pageHeadersAllowing } from '../views/html.ts';

const INLINE_SCRIPT = /<script>([\s\S]*?)<\/script>/g;

/**
 * A step of `afterAnswer` (after-response.ts): our page headers (docs/security.md, "Pages") on
 * the HTML pages oidc-provider writes itself instead of through our renderers
 * (provider/pages.ts): the auto-submit forms of `response_mode=form_post` and of logging out (RP-initiated logout
 * without a session, the sign-out before another account signs in). Their one inline script
 * stays allowed by its hash, so the form still submits itself; with scripting off, its
 * Continue button does. Pages rendered through our layout already carry the headers and are
 * left alone.
 *
 * @example
 * provider.use(afterAnswer(secureAutoSubmitPages));
 */
export function secureAutoSubmitPages(ctx: Koa.Context): undefined {
  if (typeof ctx.body !== 'string' || !ctx.response.is('html')) return;
  if (ctx.response.get('content-security-policy')) return;
  const scripts = [...ctx.body.matchAll(INLINE_SCRIPT)].map((match) => match[1] ?? '');
  ctx.set(pageHeadersAllowing(scripts));
}
