import Koa, { type Middleware } from 'koa';
import {
  createResourceServer,
  type OptionalAuthState,
  type ResourceServerOptions,
  requireScopes,
} from '../../src/index.ts';
import { AUDIENCE, ISSUER, NOW } from './mint-token.ts';
import { startHttpServer } from './start-http-server.ts';

/** A Koa app protected by one resource server, listening on 127.0.0.1. */
export interface TestApp {
  readonly url: string;
  /** Errors the app emitted (what a host would log). */
  readonly loggedErrors: unknown[];
  close(): Promise<void>;
}

// Koa's default state: each route mixes required and optional authentication.
function chain(middleware: Middleware[]): Middleware {
  return (ctx, next) => {
    const dispatch = (index: number): Promise<void> =>
      Promise.resolve(
        index < middleware.length ? middleware[index]!(ctx, () => dispatch(index + 1)) : next(),
      );
    return dispatch(0);
  };
}

const showAuth: Middleware<OptionalAuthState> = (ctx) => {
  const { auth } = ctx.state;
  ctx.body = {
    auth: auth && {
      subject: auth.subject,
      clientId: auth.clientId,
      scopes: [...auth.scopes],
      scope: auth.scope,
      actor: auth.actor,
      jti: auth.claims.jti,
      token: auth.token,
    },
  };
};

/**
 * Starts an app whose routes exercise the middleware: `/protected`, `/optional`, `/read`
 * (notes:read), `/read-write` (both), `/optional-read` (optional auth + notes:read), `/boom`
 * (throws after auth) and `/misconfigured` (requireScopes without authenticate).
 */
export async function startTestApp(
  options: Partial<ResourceServerOptions> & { jwksUri?: string },
): Promise<TestApp> {
  const rs = createResourceServer({
    issuer: ISSUER,
    audience: AUDIENCE,
    now: () => NOW * 1000,
    ...options,
  });
  const routes: Record<string, Middleware[]> = {
    '/protected': [rs.authenticate(), showAuth],
    '/optional': [rs.authenticate({ optional: true }), showAuth],
    '/read': [rs.authenticate(), requireScopes('notes:read'), showAuth],
    '/read-write': [rs.authenticate(), requireScopes('notes:read', 'notes:write'), showAuth],
    '/optional-read': [rs.authenticate({ optional: true }), requireScopes('notes:read'), showAuth],
    '/boom': [
      rs.authenticate(),
      () => {
        // Looks like one of ours: a middleware catching around `next` would answer it as such.
        throw Object.assign(new Error('downstream failure'), {
          code: 'ERR_RS_INVALID_TOKEN',
          status: 500,
        });
      },
    ],
    '/misconfigured': [requireScopes('notes:read'), showAuth],
  };
  const app = new Koa();
  const loggedErrors: unknown[] = [];
  app.on('error', (error) => loggedErrors.push(error));
  app.use((ctx, next) => {
    const route = routes[ctx.path];
    if (route === undefined) return next();
    return chain(route)(ctx, next);
  });
  const server = await startHttpServer(app.callback());
  return { url: server.url, loggedErrors, close: server.close };
}
