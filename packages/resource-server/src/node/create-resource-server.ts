import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCore } from '../core/create-core.ts';
import { createGuard, type GuardOptions } from '../core/create-guard.ts';
import { fromNodeRequest } from '../http/from-node-request.ts';
import { writeNodeResponse } from '../http/write-node-response.ts';
import { isMetadataRequest } from '../metadata/protected-resource-metadata.ts';
import type { RevocationFeedState } from '../revocation/create-revocation-subscriber.ts';
import type { AuthContext, ResourceServerOptions } from '../types.ts';

/** A Node.js request as a rule sees it: the server's request, whose method is always set. */
export type NodeRequest = IncomingMessage & { readonly method: string };

/** A `node:http` request listener that also gets the verified token. */
export type ProtectedListener<A extends AuthContext | undefined> = (
  req: NodeRequest,
  res: ServerResponse,
  auth: A,
) => void | Promise<void>;

/** Options of `protect()`: what the route requires, and where its unexpected errors go. */
export interface NodeProtectOptions extends GuardOptions<NodeRequest> {
  /**
   * Told about an error that is not a refusal (a rule or the handler threw), after a 500 was
   * answered, and about a throttle store's outage [`console.error`]; it carries no token.
   */
  onError?: (error: unknown, req?: IncomingMessage) => void;
}

/** A configured resource server for plain `node:http` servers. */
export interface NodeResourceServer {
  /** Wraps a listener that runs only for requests with a valid token (and what `options` require). */
  protect(
    handler: ProtectedListener<AuthContext>,
    options?: NodeProtectOptions & { optional?: false },
  ): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Wraps a listener that also runs without credentials, with `auth` undefined. */
  protect(
    handler: ProtectedListener<AuthContext | undefined>,
    options: NodeProtectOptions & { optional: true },
  ): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /**
   * Answers `GET`/`HEAD /.well-known/oauth-protected-resource` with the RFC 9728 metadata and
   * returns true, or returns false for any other request.
   */
  metadata(req: IncomingMessage, res: ServerResponse): boolean;
  /**
   * Where the revocation feed stands (revocations held, cursor, `following` / `grace` /
   * `unavailable`); undefined when it is not followed.
   */
  revocationFeed(): RevocationFeedState | undefined;
  /** Stops following the revocation feed (a no-op without it); call it on shutdown. */
  close(): Promise<void>;
}

function answerFailure(res: ServerResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = 500;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end('{"error":"server_error","error_description":"the server failed to answer"}');
}

/**
 * Creates a resource server for `node:http` (and anything that hands out `req`/`res`): the
 * options, checks, errors and cache of the Koa `createResourceServer`. `protect(handler)` returns
 * a request listener that answers RFC 6750 errors itself and calls `handler(req, res, auth)` only
 * for requests it lets through.
 *
 * @example
 * const rs = createResourceServer({ issuer: 'http://localhost:3000', audience: 'http://localhost:4000' });
 * const notes = rs.protect((req, res, auth) => res.end(auth.subject), { scopes: ['notes:read'] });
 * createServer((req, res) => rs.metadata(req, res) || notes(req, res)).listen(4000);
 */
export function createResourceServer(options: ResourceServerOptions): NodeResourceServer {
  const core = createCore(options);
  const { metadata } = core;

  function protect(
    handler: ProtectedListener<AuthContext | undefined>,
    protectOptions: NodeProtectOptions = {},
  ) {
    const { onError = (error: unknown) => console.error(error), ...guardOptions } = protectOptions;
    const guard = createGuard<NodeRequest>(core, guardOptions, (error) => onError(error));
    return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const request = req as NodeRequest;
      try {
        const outcome = await guard(
          request,
          fromNodeRequest(req),
          () => req.socket.remoteAddress ?? '',
        );
        if (outcome.ok) await handler(request, res, outcome.auth);
        else writeNodeResponse(res, outcome.response);
      } catch (error) {
        answerFailure(res);
        onError(error, req);
      }
    };
  }

  return {
    protect,
    metadata(req: IncomingMessage, res: ServerResponse) {
      const path = (req.url ?? '').split('?', 1)[0]!;
      if (!isMetadataRequest(req.method ?? '', path, metadata)) return false;
      writeNodeResponse(res, metadata);
      return true;
    },
    revocationFeed: () => core.revocation?.state(),
    close: async () => {
      await core.revocation?.close();
    },
  } as NodeResourceServer;
}
