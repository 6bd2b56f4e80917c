import type { NextFunction, Request, Response } from 'express';
import { createCore } from '../core/create-core.ts';
import type { AuthOutcome } from '../core/create-request-authenticator.ts';
import { resolveOptional } from '../core/resolve-optional.ts';
import { errorResponse } from '../http/error-response.ts';
import { fromNodeRequest } from '../http/from-node-request.ts';
import { recordChallenge } from '../http/realm-state.ts';
import { writeNodeResponse } from '../http/write-node-response.ts';
import { isMetadataRequest } from '../metadata/protected-resource-metadata.ts';
import type { RevocationFeedState } from '../revocation/create-revocation-subscriber.ts';
import type { AuthenticateOptions, ResourceServerOptions } from '../types.ts';
import type { AuthenticatedLocals, ExpressMiddleware, OptionalAuthLocals } from './types.ts';

/** A configured resource server for Express 5 (or 4): the same core as the Koa one. */
export interface ExpressResourceServer {
  /** Required authentication: 401 without a valid token; sets `res.locals.auth`. */
  authenticate(options?: { optional?: false }): ExpressMiddleware<AuthenticatedLocals>;
  /** Optional authentication: sets `res.locals.auth` only when a token is presented. */
  authenticate(options: { optional: true }): ExpressMiddleware<OptionalAuthLocals>;
  /** Required or optional authentication, decided at run time. */
  authenticate(options?: AuthenticateOptions): ExpressMiddleware<OptionalAuthLocals>;
  /**
   * Serves the RFC 9728 protected-resource metadata at `GET /.well-known/oauth-protected-resource`
   * and passes every other request on; mount it before the routes (it needs no token).
   */
  metadata(): ExpressMiddleware<object>;
  /**
   * Where the revocation feed stands (revocations held, cursor, `following` / `grace` /
   * `unavailable`); undefined when it is not followed.
   */
  revocationFeed(): RevocationFeedState | undefined;
  /** Stops following the revocation feed (a no-op without it); call it on shutdown. */
  close(): Promise<void>;
}

/**
 * Creates an Express resource server: the options, checks, errors and cache of the Koa
 * `createResourceServer`, as Express middleware. `authenticate()` sets `res.locals.auth` and
 * calls `next()`, or answers the RFC 6750 error itself; an error that is not about the
 * credentials (a broken replay store) goes to `next(error)`.
 *
 * @example
 * const rs = createResourceServer({ issuer: 'http://localhost:3000', audience: 'http://localhost:4000' });
 * app.use(rs.metadata());
 * app.get('/notes', rs.authenticate(), requireScopes('notes:read'), listNotes);
 */
export function createResourceServer(options: ResourceServerOptions): ExpressResourceServer {
  const core = createCore(options);
  const { authenticator, config, metadata } = core;

  const settle = (res: Response<unknown, OptionalAuthLocals>, outcome: AuthOutcome): boolean => {
    recordChallenge(res.locals, config.realm, authenticator.settings, outcome.dpopUsed);
    if (outcome.ok) {
      if (outcome.auth !== undefined) res.locals.auth = outcome.auth;
      return true;
    }
    const challenge = { realm: config.realm, settings: authenticator.settings };
    writeNodeResponse(
      res,
      errorResponse(outcome.error, { ...challenge, dpopUsed: outcome.dpopUsed }),
    );
    return false;
  };

  function authenticate(authenticateOptions?: AuthenticateOptions): ExpressMiddleware {
    const optional = resolveOptional(authenticateOptions);
    return function authenticateMiddleware(req, res, next) {
      const outcome = authenticator.authenticate(fromNodeRequest(req), optional);
      if (!(outcome instanceof Promise)) {
        if (settle(res, outcome)) next();
        return;
      }
      outcome.then((settled) => settle(res, settled) && next(), next);
    };
  }

  const metadataMiddleware = (req: Request, res: Response, next: NextFunction): void => {
    if (isMetadataRequest(req.method, req.path, metadata)) writeNodeResponse(res, metadata);
    else next();
  };

  return {
    authenticate,
    metadata: () => metadataMiddleware,
    revocationFeed: () => core.revocation?.state(),
    close: async () => {
      await core.revocation?.close();
    },
  } as ExpressResourceServer;
}
