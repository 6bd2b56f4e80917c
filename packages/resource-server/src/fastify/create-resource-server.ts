import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { createCore } from '../core/create-core.ts';
import type { AuthOutcome } from '../core/create-request-authenticator.ts';
import { resolveOptional } from '../core/resolve-optional.ts';
import { errorResponse } from '../http/error-response.ts';
import { fromNodeRequest } from '../http/from-node-request.ts';
import { recordChallenge } from '../http/realm-state.ts';
import type { RevocationFeedState } from '../revocation/create-revocation-subscriber.ts';
import type { AuthenticateOptions, ResourceServerOptions } from '../types.ts';
import { sendResponse } from './send-response.ts';
import type { FastifyHook } from './types.ts';

/** A configured resource server for Fastify 5: the same core as the Koa one. */
export interface FastifyResourceServer {
  /**
   * The plugin to register once, before the routes: it declares `request.auth` (Fastify wants
   * request properties declared up front) and serves the RFC 9728 protected-resource metadata at
   * `GET /.well-known/oauth-protected-resource` (and HEAD). Closing the app calls `close()`.
   */
  readonly plugin: FastifyPluginCallback;
  /**
   * A hook (`onRequest` or `preHandler`) that verifies the request's credentials and sets
   * `request.auth`, or answers the RFC 6750 error itself. `{ optional: true }` lets requests
   * without credentials through with `request.auth` undefined.
   */
  authenticate(options?: AuthenticateOptions): FastifyHook;
  /**
   * Where the revocation feed stands (revocations held, cursor, `following` / `grace` /
   * `unavailable`); undefined when it is not followed.
   */
  revocationFeed(): RevocationFeedState | undefined;
  /** Stops following the revocation feed (a no-op without it); call it on shutdown. */
  close(): Promise<void>;
}

/**
 * Creates a Fastify resource server: the options, checks, errors and cache of the Koa
 * `createResourceServer`, as Fastify hooks. Errors that are not about the credentials (a broken
 * replay store) go to Fastify's error handler; a 503 caused by a failed fetch is logged with
 * `request.log.warn`.
 *
 * @example
 * const rs = createResourceServer({ issuer: 'http://localhost:3000', audience: 'http://localhost:4000' });
 * await app.register(rs.plugin);
 * app.get('/notes', { onRequest: [rs.authenticate(), requireScopes('notes:read')] }, listNotes);
 */
export function createResourceServer(options: ResourceServerOptions): FastifyResourceServer {
  const core = createCore(options);
  const { authenticator, config, metadata } = core;

  const settle = (request: FastifyRequest, reply: FastifyReply, outcome: AuthOutcome): boolean => {
    recordChallenge(request, config.realm, authenticator.settings, outcome.dpopUsed);
    if (outcome.ok) {
      request.auth = outcome.auth;
      return true;
    }
    const { error, dpopUsed } = outcome;
    if (error.status === 503 && error.cause !== undefined) request.log.warn({ err: error });
    sendResponse(
      reply,
      errorResponse(error, { realm: config.realm, settings: authenticator.settings, dpopUsed }),
    );
    return false;
  };

  function authenticate(authenticateOptions?: AuthenticateOptions): FastifyHook {
    const optional = resolveOptional(authenticateOptions);
    return function authenticateHook(request, reply, done) {
      const outcome = authenticator.authenticate(fromNodeRequest(request.raw), optional);
      if (!(outcome instanceof Promise)) {
        if (settle(request, reply, outcome)) done();
        return;
      }
      outcome.then(
        (settled) => settle(request, reply, settled) && done(),
        (error: Error) => done(error),
      );
    };
  }

  const plugin: FastifyPluginCallback = (fastify: FastifyInstance, _options, done) => {
    fastify.decorateRequest('auth', undefined);
    // Closing the app stops following the revocation feed.
    fastify.addHook('onClose', async () => {
      await core.revocation?.close();
    });
    for (const path of metadata.paths) {
      fastify.get(path, (_request, reply) => {
        reply.headers(metadata.headers).send(metadata.body);
      });
    }
    done();
  };
  // What the `fastify-plugin` helper sets: the plugin's declarations reach the whole app, not
  // only an encapsulated child context.
  Object.assign(plugin, { [Symbol.for('skip-override')]: true });

  const close = async () => {
    await core.revocation?.close();
  };
  return { plugin, authenticate, revocationFeed: () => core.revocation?.state(), close };
}
