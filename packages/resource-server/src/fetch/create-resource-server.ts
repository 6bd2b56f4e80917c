import { createCore } from '../core/create-core.ts';
import { createGuard, type GuardOptions } from '../core/create-guard.ts';
import type { ErrorResponse } from '../http/error-response.ts';
import { fromFetchRequest } from '../http/from-fetch-request.ts';
import {
  isMetadataRequest,
  type MetadataResponse,
} from '../metadata/protected-resource-metadata.ts';
import type { RevocationFeedState } from '../revocation/create-revocation-subscriber.ts';
import type { AuthContext, ResourceServerOptions } from '../types.ts';

/** A fetch-style handler that also gets the verified token. */
export type ProtectedHandler<A extends AuthContext | undefined> = (
  request: Request,
  auth: A,
) => Response | Promise<Response>;

/**
 * Options of `protect()`. Without a token, a throttle counts requests per `address(request)`,
 * which the runtime must provide (a fetch `Request` does not carry the client's address).
 */
export interface FetchProtectOptions extends GuardOptions<Request> {
  /** The client's address, for throttles of requests without a token ['unknown': one bucket]. */
  address?: (request: Request) => string;
}

/** A configured resource server for fetch-style `Request` → `Response` handlers. */
export interface FetchResourceServer {
  /** Wraps a handler that runs only for requests with a valid token (and what `options` require). */
  protect(
    handler: ProtectedHandler<AuthContext>,
    options?: FetchProtectOptions & { optional?: false },
  ): (request: Request) => Promise<Response>;
  /** Wraps a handler that also runs without credentials, with `auth` undefined. */
  protect(
    handler: ProtectedHandler<AuthContext | undefined>,
    options: FetchProtectOptions & { optional: true },
  ): (request: Request) => Promise<Response>;
  /**
   * The RFC 9728 metadata answer for `GET`/`HEAD /.well-known/oauth-protected-resource`, or
   * undefined for any other request.
   */
  metadata(request: Request): Response | undefined;
  /**
   * Where the revocation feed stands (revocations held, cursor, `following` / `grace` /
   * `unavailable`); undefined when it is not followed.
   */
  revocationFeed(): RevocationFeedState | undefined;
  /** Stops following the revocation feed (a no-op without it); call it on shutdown. */
  close(): Promise<void>;
}

function toResponse(answer: ErrorResponse | MetadataResponse, head: boolean): Response {
  const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  return new Response(head ? null : body, {
    status: answer.status,
    headers: { ...answer.headers, 'content-type': 'application/json; charset=utf-8' },
  });
}

/**
 * Creates a resource server for fetch-style handlers (Deno, Bun, Cloudflare Workers, Hono, Next.js
 * route handlers, `node:http` through a `Request` bridge): the options, checks, errors and cache
 * of the Koa `createResourceServer`. `protect(handler)` returns a handler that answers RFC 6750
 * errors itself and calls `handler(request, auth)` only for requests it lets through; errors
 * that are not refusals reject, for the runtime's own 500.
 *
 * @example
 * const rs = createResourceServer({ issuer: 'http://localhost:3000', audience: 'http://localhost:4000' });
 * const notes = rs.protect((request, auth) => Response.json({ sub: auth.subject }), { scopes: ['notes:read'] });
 * export default { fetch: (request: Request) => rs.metadata(request) ?? notes(request) };
 */
export function createResourceServer(options: ResourceServerOptions): FetchResourceServer {
  const core = createCore(options);
  const { metadata } = core;

  function protect(
    handler: ProtectedHandler<AuthContext | undefined>,
    protectOptions: FetchProtectOptions = {},
  ) {
    const { address = () => 'unknown', ...guardOptions } = protectOptions;
    // A throttle store's outage is reported as a process warning (stderr, or `process.on('warning')`).
    const guard = createGuard<Request>(core, guardOptions, (error) => process.emitWarning(error));
    return async (request: Request): Promise<Response> => {
      const outcome = await guard(request, fromFetchRequest(request), () => address(request));
      if (!outcome.ok) return toResponse(outcome.response, request.method === 'HEAD');
      return handler(request, outcome.auth);
    };
  }

  return {
    protect,
    metadata(request: Request) {
      if (!isMetadataRequest(request.method, new URL(request.url).pathname, metadata)) {
        return undefined;
      }
      return toResponse(metadata, request.method === 'HEAD');
    },
    revocationFeed: () => core.revocation?.state(),
    close: async () => {
      await core.revocation?.close();
    },
  } as FetchResourceServer;
}
