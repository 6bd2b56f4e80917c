import type { Middleware } from 'koa';
import {
  type NormalizePathOptions,
  pathProblem,
  pathRefusal,
  resolveNormalizePath,
} from '../http/path-problem.ts';
import { sendResponse } from '../http/send-error.ts';

/**
 * Refuses, with 400 `invalid_request`, request paths that different layers could read as
 * different routes, so that `/notes/../admin` cannot reach `/admin` past the rules of `/notes`
 * (or the other way round): dot segments (`.`, `..`, also as `%2e`, `..;`, or fullwidth),
 * encoded slashes and backslashes (`%2f`, `%5c`), raw backslashes, empty segments (`//`), NUL
 * and other control characters (raw or encoded), malformed percent-encoding or UTF-8, double
 * encoding (`%252e`), and raw spaces, `#` or non-ASCII. A trailing slash and the query string are
 * left alone. Mount it first, before any router: it checks the raw request target, which is what
 * the router will match.
 *
 * Paths are case-sensitive (RFC 3986), and this middleware does not change case. Route with a
 * case-sensitive router (`new Router({ sensitive: true })`: `@koa/router` matches without regard
 * to case by default), and hang rules on routes rather than on path prefixes, so `/NOTES` is
 * either the route `/notes` with its rules or no route at all.
 *
 * @example
 * const app = new Koa();
 * app.use(normalizePath({ realm: 'https://api.example.com' }));
 * app.use(router.routes());
 */
export function normalizePath(options: NormalizePathOptions = {}): Middleware {
  const realm = resolveNormalizePath(options);
  return function normalizePathMiddleware(ctx, next) {
    const problem = pathProblem(ctx.req.url ?? '', ctx.path);
    if (problem === undefined) return next();
    sendResponse(ctx, pathRefusal(problem, realm));
    return Promise.resolve();
  };
}
