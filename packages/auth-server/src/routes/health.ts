import { type Database, pingDatabase } from '@portcullis/storage';
import type Koa from 'koa';

/**
 * `GET /healthz` (`live`): the process is alive. `GET /readyz` (`ready`): the database answers
 * and the signing keys are loaded (they are, once the server is built), so a load balancer can
 * route to it. Mounted by routes/route-table.ts.
 *
 * @example
 * const { live, ready } = healthRoutes(db); // the handlers of GET /healthz and GET /readyz
 */
export function healthRoutes(db: Database): { live: Koa.Middleware; ready: Koa.Middleware } {
  return {
    live(ctx) {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { status: 'ok' };
    },
    async ready(ctx) {
      ctx.set('Cache-Control', 'no-store');
      const database = await pingDatabase(db);
      ctx.status = database ? 200 : 503;
      if (!database) ctx.set('Retry-After', '5');
      ctx.body = {
        status: database ? 'ready' : 'unavailable',
        checks: { database: database ? 'ok' : 'unreachable', keys: 'ok' },
      };
    },
  };
}
