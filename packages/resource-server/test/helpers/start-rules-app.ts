import Koa, { type Middleware } from 'koa';
import {
  createResourceServer,
  normalizePath,
  permit,
  type ResourceServer,
  type Rule,
} from '../../src/index.ts';
import { AUDIENCE, ISSUER, NOW } from './mint-token.ts';
import { startHttpServer } from './start-http-server.ts';

/** A route of a rules app: its rule, behind required or optional authentication. */
export interface RuleRoute {
  rule: Rule;
  /** `authenticate({ optional: true })` instead of `authenticate()`. */
  optional?: boolean;
}

/** A Koa app with one route per path, each protected by `permit(rule)`. */
export interface RulesApp {
  readonly url: string;
  /** Requests that reached a handler, as `METHOD path`. */
  readonly reached: string[];
  /** Errors the app emitted (what a host would log). */
  readonly loggedErrors: unknown[];
  close(): Promise<void>;
}

function chain(middleware: Middleware[]): Middleware {
  return (ctx, next) => {
    const dispatch = (index: number): Promise<void> =>
      Promise.resolve(
        index < middleware.length ? middleware[index]!(ctx, () => dispatch(index + 1)) : next(),
      );
    return dispatch(0);
  };
}

/**
 * Starts an app that matches paths exactly and case-sensitively (like
 * `new Router({ sensitive: true, strict: true })`), with `normalizePath()` in front unless told
 * otherwise. Every handler answers `{ reached: "METHOD path" }`; unknown paths answer 404.
 */
export async function startRulesApp(
  jwksUri: string,
  routes: Record<string, RuleRoute | Middleware[]>,
  options: { normalize?: boolean; realm?: string } = {},
): Promise<RulesApp & { rs: ResourceServer }> {
  const rs = createResourceServer({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri,
    now: () => NOW * 1000,
  });
  const reached: string[] = [];
  const handler: Middleware = (ctx) => {
    reached.push(`${ctx.method} ${ctx.path}`);
    ctx.body = { reached: `${ctx.method} ${ctx.path}` };
  };
  const table = new Map<string, Middleware>();
  for (const [path, route] of Object.entries(routes)) {
    const middleware = Array.isArray(route)
      ? route
      : [
          route.optional ? rs.authenticate({ optional: true }) : rs.authenticate(),
          permit(route.rule),
        ];
    table.set(path, chain([...(middleware as Middleware[]), handler]));
  }
  const app = new Koa();
  const loggedErrors: unknown[] = [];
  app.on('error', (error) => loggedErrors.push(error));
  if (options.normalize !== false) app.use(normalizePath({ realm: options.realm ?? AUDIENCE }));
  app.use((ctx, next) => {
    const route = table.get(ctx.path);
    if (route === undefined) {
      ctx.status = 404;
      ctx.body = { error: 'not_found' };
      return;
    }
    return route(ctx, next);
  });
  const server = await startHttpServer(app.callback());
  return { url: server.url, reached, loggedErrors, rs, close: server.close };
}
