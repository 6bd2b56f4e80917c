import {
  type NormalizePathOptions,
  pathProblem,
  pathRefusal,
  requestPath,
  resolveNormalizePath,
} from '../http/path-problem.ts';
import { sendResponse } from './send-response.ts';
import type { FastifyHook } from './types.ts';

/**
 * An `onRequest` hook that refuses, with 400 `invalid_request`, request paths that different
 * layers could read as different routes (dot segments, encoded slashes, double encoding, control
 * characters, ...), exactly as the Koa `normalizePath` does. Add it to the whole app
 * (`app.addHook('onRequest', normalizePath())`): it judges the raw request target, whose path is
 * what Fastify routes on. Malformed percent-encoding (`%zz`, overlong UTF-8) Fastify refuses
 * itself, with its own 400, before any hook runs.
 *
 * @example
 * app.addHook('onRequest', normalizePath({ realm: 'https://api.example.com' }));
 */
export function normalizePath(options: NormalizePathOptions = {}): FastifyHook {
  const realm = resolveNormalizePath(options);
  return function normalizePathHook(request, reply, done) {
    const target = request.raw.url ?? '';
    const problem = pathProblem(target, requestPath(target) ?? target);
    if (problem === undefined) done();
    else sendResponse(reply, pathRefusal(problem, realm));
  };
}
