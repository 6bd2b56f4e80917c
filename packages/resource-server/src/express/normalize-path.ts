import {
  type NormalizePathOptions,
  pathProblem,
  pathRefusal,
  resolveNormalizePath,
} from '../http/path-problem.ts';
import { writeNodeResponse } from '../http/write-node-response.ts';
import type { ExpressMiddleware } from './types.ts';

/**
 * Refuses, with 400 `invalid_request`, request paths that different layers could read as
 * different routes (dot segments, encoded slashes, double encoding, control characters, ...),
 * exactly as the Koa `normalizePath` does. Mount it first, with `app.use`, before any route: it
 * judges the raw request target against the path Express routes on (`req.path`). Route
 * case-sensitively (`app.set('case sensitive routing', true)`).
 *
 * @example
 * app.use(normalizePath({ realm: 'https://api.example.com' }));
 */
export function normalizePath(options: NormalizePathOptions = {}): ExpressMiddleware<object> {
  const realm = resolveNormalizePath(options);
  return function normalizePathMiddleware(req, res, next) {
    const problem = pathProblem(req.url, req.path);
    if (problem === undefined) next();
    else writeNodeResponse(res, pathRefusal(problem, realm));
  };
}
