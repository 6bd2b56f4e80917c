import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { requestIdFor } from './request-id.ts';
import { type RequestScope, runInRequestScope } from './request-scope.ts';
import { loggedPath, UNMATCHED_ROUTE } from './route-names.ts';

/** What {@link observeRequests} needs. */
export interface ObserveRequestsOptions {
  logger: Logger;
  metrics: Metrics;
  /** A proxy we trust sits in front: take its `X-Request-Id` and `X-Forwarded-For`. */
  trustProxy: boolean;
  /**
   * The host app's route of a path (its name, and the template logged instead of the path), or
   * `undefined`; oidc-provider names its own routes as it serves them.
   */
  hostRoute(path: string): { name: string; template: string } | undefined;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

// A path is logged without its query string (which may carry codes and tokens), and cut short.
const MAX_LOGGED_PATH = 200;

function pathOf(url: string | undefined): string {
  const path = (url ?? '').split('?', 1)[0] ?? '';
  return path.length > MAX_LOGGED_PATH ? `${path.slice(0, MAX_LOGGED_PATH)}...` : path;
}

/**
 * The client's address: behind a trusted proxy, the last `X-Forwarded-For` entry (the address
 * the proxy saw, which the client cannot forge; as the app's `maxIpsCount = 1`), else the
 * socket's.
 */
function addressOf(req: IncomingMessage, trustProxy: boolean): string | undefined {
  const forwarded = req.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string' && forwarded.trim() !== '') {
    return forwarded.split(',').at(-1)?.trim();
  }
  return req.socket.remoteAddress;
}

const definedOnly = (fields: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));

/**
 * Wraps the server's request handler: gives every request an id (echoed in `X-Request-Id`, and
 * on every log line written while it is served), and once its response is sent (or the client
 * has gone), writes exactly one access-log line and counts it in the metrics. The line holds the
 * method, route name, path (no query string; ids such as interaction uids as placeholders),
 * status, duration, request id, address and, when known, the client id and the OAuth error
 * answered (`error`, `error_description`, and oidc-provider's `error_detail`); never headers,
 * query strings or bodies.
 *
 * @example
 * createServer(observeRequests({ logger, metrics, trustProxy: false, hostRoute }, handler));
 */
export function observeRequests(options: ObserveRequestsOptions, handler: Handler): Handler {
  const { logger, metrics, trustProxy, hostRoute } = options;
  return (req, res) => {
    const started = process.hrtime.bigint();
    const path = pathOf(req.url);
    const host = hostRoute(path);
    const scope: RequestScope = {
      id: requestIdFor(req.headers['x-request-id'], trustProxy),
      route: host?.name ?? UNMATCHED_ROUTE,
    };
    res.setHeader('X-Request-Id', scope.id);

    // 'close' comes once per response, after 'finish' when it was sent (so `writableFinished`
    // tells a sent response from one whose client went away first): one listener for both.
    res.on('close', () => {
      scope.refine?.();
      const aborted = !res.writableFinished;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.observeRequest({
        route: scope.route,
        method: req.method ?? '',
        status: aborted ? 'aborted' : String(res.statusCode),
        seconds,
      });
      const fields = {
        method: req.method,
        route: scope.route,
        path: host && scope.route === host.name ? host.template : loggedPath(scope.route, path),
        status: res.statusCode,
        aborted: aborted || undefined,
        duration_ms: Math.round(seconds * 1e6) / 1e3,
        address: addressOf(req, trustProxy),
        client_id: scope.clientId || undefined,
        error: scope.oauthError?.error,
        error_description: scope.oauthError?.description || undefined,
        error_detail: scope.oauthError?.detail || undefined,
      };
      if (logger.request) logger.request(scope.id, fields);
      else runInRequestScope(scope, () => logger.info('request', definedOnly(fields)));
    });
    return runInRequestScope(scope, () => handler(req, res));
  };
}
