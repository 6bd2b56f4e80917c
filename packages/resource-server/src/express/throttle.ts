import type { Request } from 'express';
import { errorResponse } from '../http/error-response.ts';
import { getRealm, stateChallenge } from '../http/realm-state.ts';
import { writeNodeResponse } from '../http/write-node-response.ts';
import { createLimiter, type LimiterOptions } from '../throttle/create-limiter.ts';
import type { ExpressMiddleware } from './types.ts';

/**
 * Options of the Express {@link throttle}; `by` as a function gets the request, and requests
 * without a token are counted per `req.ip` (which honours `X-Forwarded-For` only with Express's
 * `trust proxy` setting).
 */
export type ThrottleOptions = LimiterOptions<Request>;

// Express has no error event of its own (an app's 'error' without a listener would throw): a
// failing store let through (`onStoreError: 'allow'`) is reported as a process warning, which
// Node.js prints to stderr and `process.on('warning')` can route to the host's logging.
const reportOutage = (error: Error) => process.emitWarning(error);

/**
 * Express middleware that limits how often one client, subject or custom key may call, with the
 * semantics of the Koa `throttle`: 429 with `Retry-After` over the limit, refused requests not
 * counted. Mount it after `rs.authenticate()`. A failing store is met as `onStoreError` says
 * (a 503 with `'refuse'`; let through and reported with `process.emitWarning` with `'allow'`).
 *
 * @example
 * app.post('/notes', rs.authenticate(), throttle({ rate: '10/min', by: 'subject' }), createNote);
 */
export function throttle(options: ThrottleOptions): ExpressMiddleware {
  const limiter = createLimiter(options);
  return function throttleMiddleware(req, res, next) {
    let id: string | undefined;
    try {
      id = limiter.identify(req, {
        authenticated: getRealm(res.locals) !== undefined,
        auth: res.locals.auth,
        address: () => req.ip ?? req.socket.remoteAddress ?? '',
      });
    } catch (error) {
      next(error);
      return;
    }
    if (id === undefined) {
      next();
      return;
    }
    limiter.hit(id, reportOutage).then((refusal) => {
      if (refusal === undefined) return next();
      // A 503 of a failing store (`onStoreError: 'refuse'`) carries the failure: report it too.
      if (refusal.cause !== undefined) reportOutage(refusal);
      const challenge = stateChallenge(res.locals) ?? {
        realm: '',
        settings: undefined,
        dpopUsed: false,
      };
      writeNodeResponse(res, errorResponse(refusal, challenge));
    }, next);
  };
}
