import findMyWay from 'find-my-way';
import type { Middleware } from 'koa';
import { composeChain } from './chain.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The route parameters of the matched route, e.g. `{ id }` for `/notes/:id`. */
export interface RouteParams {
  params: Record<string, string | undefined>;
}

// Each middleware of a chain declares the state it needs (a rule needs `auth`, which
// `authenticate` sets): the chain as a whole is not checked, so any state is accepted here.
// biome-ignore lint/suspicious/noExplicitAny: see above
type RouteMiddleware = Middleware<any, RouteParams>;

/** A table of routes, each with its whole middleware chain; see {@link createRouteTable}. */
export interface RouteTable<State> {
  /** Adds a route. Paths are case-sensitive; `:name` captures one segment. */
  on(method: Method, path: string, ...middleware: RouteMiddleware[]): void;
  /**
   * The Koa middleware that dispatches to the table: the matched route's chain with
   * `ctx.params` set; a path with routes for other methods only answers a bodiless 405 with
   * `Allow` (the error boundary gives it its JSON); anything else goes to `next`.
   */
  routes(): Middleware<State, RouteParams>;
}

// find-my-way is built for (req, res) handlers; ours live in the route's store.
const unused = () => undefined;

/**
 * A case-sensitive route table on find-my-way (fastify's radix-tree router): one lookup per
 * request, and each route's middleware composed once when it is added (by `composeChain`: no
 * promise per layer), not on every request (what a linear router such as `@koa/router` does). As with `@koa/router`, one trailing slash
 * names the same route (`/notes/` is `/notes`); `HEAD` follows `GET`. Duplicate slashes and dot
 * segments never get here: `normalizePath` refuses them first.
 *
 * @example
 * const table = createRouteTable<AuthenticatedState>();
 * table.on('GET', '/notes/:id', authenticate, permit(rule), showNote);
 * app.use(table.routes());
 */
export function createRouteTable<State>(): RouteTable<State> {
  const router = findMyWay({ caseSensitive: true, ignoreTrailingSlash: true });
  const methods = new Set<Method>();
  return {
    on(method, path, ...middleware) {
      methods.add(method);
      router.on(method, path, unused, composeChain(middleware));
    },
    routes() {
      return (ctx, next) => {
        // HEAD is GET without a body (Koa drops it).
        const method = ctx.method === 'HEAD' ? 'GET' : (ctx.method as Method);
        const found = router.find(method, ctx.path);
        if (found !== null) {
          ctx.params = found.params;
          return (found.store as RouteMiddleware)(ctx, next);
        }
        const allow = [...methods].filter((method) => router.find(method, ctx.path) !== null);
        if (allow.length === 0) return next();
        if (allow.includes('GET')) allow.push('HEAD' as Method);
        ctx.status = 405;
        ctx.set('Allow', allow.join(', '));
        return undefined;
      };
    },
  };
}
