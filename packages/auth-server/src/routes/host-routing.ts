import Router from '@koa/router';
import type Koa from 'koa';
import type { HostRoute } from './route.ts';

/** A path's route, as metrics and the access line name it. */
export interface HostRouteMatch {
  name: string;
  /** The route's path template, logged instead of the path (which may carry ids). */
  template: string;
}

/** What {@link createHostRouting} derives from the route table. */
export interface HostRouting {
  /**
   * Whether a path is the host app's to answer (404 included) rather than oidc-provider's: a
   * route's exact path, or anything under the first segment of a route with a parameter
   * (`/interaction/...`, `/account/...`). One Set lookup and a few prefix checks: it runs before
   * Koa on every request, the token endpoint's included.
   */
  owns(path: string): boolean;
  /** The route of a path of ours regardless of method, or `undefined` (unmatched, or not ours). */
  match(path: string): HostRouteMatch | undefined;
  /** The Koa middleware routing to the handlers (a path with no route falls through: 404). */
  readonly middleware: Koa.Middleware;
}

const PARAMETER = /^:[A-Za-z_]\w*$/;

// `/interaction/:uid/login` → /^\/interaction\/[^/]+\/login$/: a parameter is one segment.
function templatePattern(template: string): RegExp {
  const segments = template
    .split('/')
    .map((segment) =>
      PARAMETER.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    );
  return new RegExp(`^${segments.join('/')}$`);
}

/**
 * Derives from the route table (route-table.ts) everything that needs to know our routes: which
 * requests go to the host app at all, the Koa routing (`@koa/router`: `GET` answers `HEAD`), and
 * each path's route name and template for metrics and the access line. Names and templates are
 * matched case-sensitively, as the table writes them. Routes of one path must share one name.
 *
 * @example
 * const routing = createHostRouting(routeTable(deps));
 * routing.match('/interaction/Zx81/login');
 * // { name: 'interaction_login', template: '/interaction/:uid/login' }
 */
export function createHostRouting(routes: readonly HostRoute[]): HostRouting {
  const exact = new Map<string, HostRouteMatch>();
  const patterns = new Map<string, [RegExp, HostRouteMatch]>();
  const prefixes = new Set<string>();
  const router = new Router();
  for (const route of routes) {
    const match = { name: route.name, template: route.path };
    const known = exact.get(route.path) ?? patterns.get(route.path)?.[1];
    if (known && known.name !== route.name) {
      throw new Error(`the routes of ${route.path} have two names: ${known.name}, ${route.name}`);
    }
    const segments = route.path.split('/');
    if (segments.some((segment) => PARAMETER.test(segment))) {
      if (PARAMETER.test(segments[1] ?? '')) {
        throw new Error(`${route.path} would take every path from oidc-provider`);
      }
      patterns.set(route.path, [templatePattern(route.path), match]);
      prefixes.add(`/${segments[1]}/`);
    } else {
      exact.set(route.path, match);
    }
    router.register(route.path, [route.method], route.handler as Koa.Middleware);
  }
  const underPrefix = [...prefixes];
  const owns = (path: string) => {
    if (exact.has(path)) return true;
    for (const prefix of underPrefix) if (path.startsWith(prefix)) return true;
    return false;
  };

  return {
    owns,
    match(path) {
      const found = exact.get(path);
      if (found || !owns(path)) return found;
      for (const [pattern, match] of patterns.values()) if (pattern.test(path)) return match;
      return undefined;
    },
    middleware: router.routes() as unknown as Koa.Middleware,
  };
}
