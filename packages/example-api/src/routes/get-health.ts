import type { Middleware } from 'koa';

/**
 * `GET /healthz`: 200 `{"status":"ok"}` while the process serves requests. No authentication
 * and no dependency check: the issuer being down must not make the API look dead.
 */
export const getHealth: Middleware = (ctx) => {
  ctx.body = { status: 'ok' };
};
