import { type Database, pingDatabase } from '@portcullis/storage';
import type Koa from 'koa';

/**
 * `GET /healthz`: the process is alive. `GET /readyz`: the database answers and the signing keys
 * are loaded (they are, once the server is built), so a load balancer can route to it.
 */
export function healthRoutes(db: Database): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/healthz') {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { status: 'ok' };
      return;
    }
    if (ctx.path === '/readyz') {
      ctx.set('Cache-Control', 'no-store');
      const database = await pingDatabase(db);
      ctx.status = database ? 200 : 503;
      if (!database) ctx.set('Retry-After', '5');
      ctx.body = {
        status: database ? 'ready' : 'unavailable',
        checks: { database: database ? 'ok' : 'unreachable', keys: 'ok' },
      };
      return;
    }
    return next();
  };
}
