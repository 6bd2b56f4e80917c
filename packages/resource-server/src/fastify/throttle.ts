import type { FastifyRequest } from 'fastify';
import { errorResponse } from '../http/error-response.ts';
import { getRealm, stateChallenge } from '../http/realm-state.ts';
import { createLimiter, type LimiterOptions } from '../throttle/create-limiter.ts';
import { sendResponse } from './send-response.ts';
import type { FastifyHook } from './types.ts';

/**
 * Options of the Fastify {@link throttle}; `by` as a function gets the request, and requests
 * without a token are counted per `request.ip` (which honours `X-Forwarded-For` only with
 * Fastify's `trustProxy`).
 */
export type ThrottleOptions = LimiterOptions<FastifyRequest>;

/**
 * A hook that limits how often one client, subject or custom key may call, with the semantics of
 * the Koa `throttle`: 429 with `Retry-After` over the limit, refused requests not counted. Put it
 * after `rs.authenticate()`.
 *
 * @example
 * app.post('/notes', { onRequest: [rs.authenticate(), throttle({ rate: '10/min', by: 'subject' })] }, createNote);
 */
export function throttle(options: ThrottleOptions): FastifyHook {
  const limiter = createLimiter(options);
  return function throttleHook(request, reply, done) {
    let id: string | undefined;
    try {
      id = limiter.identify(request, {
        authenticated: getRealm(request) !== undefined,
        auth: request.auth,
        address: () => request.ip,
      });
    } catch (error) {
      done(error as Error);
      return;
    }
    if (id === undefined) return done();
    limiter
      .hit(id, (error) => request.log.warn({ err: error }))
      .then(
        (refusal) => {
          if (refusal === undefined) return done();
          if (refusal.cause !== undefined) request.log.warn({ err: refusal });
          const challenge = stateChallenge(request) ?? {
            realm: '',
            settings: undefined,
            dpopUsed: false,
          };
          sendResponse(reply, errorResponse(refusal, challenge));
        },
        (error: Error) => done(error),
      );
  };
}
