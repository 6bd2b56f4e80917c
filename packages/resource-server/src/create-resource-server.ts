import type { Middleware } from 'koa';
import { createCore } from './core/create-core.ts';
import { createMetadataMiddleware } from './metadata/create-metadata-middleware.ts';
import { createAuthenticate } from './middleware/authenticate.ts';
import type { RevocationFeedState } from './revocation/create-revocation-subscriber.ts';
import type {
  AuthenticatedState,
  AuthenticateOptions,
  OptionalAuthState,
  ResourceServerOptions,
} from './types.ts';

/**
 * A configured resource server: one verifier, one remote JWKS, one introspection client and one
 * DPoP replay store shared by its middleware.
 */
export interface ResourceServer {
  /** Required authentication: 401 without a valid token; sets `ctx.state.auth`. */
  authenticate(options?: { optional?: false }): Middleware<AuthenticatedState>;
  /** Optional authentication: sets `ctx.state.auth` only when a token is presented. */
  authenticate(options: { optional: true }): Middleware<OptionalAuthState>;
  /** Required or optional authentication, decided at run time. */
  authenticate(options?: AuthenticateOptions): Middleware<OptionalAuthState>;
  /**
   * Serves the RFC 9728 protected-resource metadata at `GET /.well-known/oauth-protected-resource`
   * and passes every other request on; mount it before the routes (it needs no token).
   */
  metadata(): Middleware;
  /**
   * Where the revocation feed stands (revocations held, cursor, `following` / `grace` /
   * `unavailable`); undefined when it is not followed.
   */
  revocationFeed(): RevocationFeedState | undefined;
  /** Stops following the revocation feed (a no-op without it); call it on shutdown. */
  close(): Promise<void>;
}

/**
 * Creates a resource server that verifies RFC 9068 JWT access tokens issued by `issuer` for
 * `audience` (and, when configured, opaque tokens by introspection and DPoP proofs). Options are
 * validated here (a `ResourceServerConfigError` names the bad key); nothing is fetched until the
 * first token arrives, and the JWKS is then fetched from `jwksUri` or from the issuer's metadata.
 *
 * @example
 * const rs = createResourceServer({
 *   issuer: 'http://localhost:3000',
 *   audience: 'http://localhost:4000',
 * });
 * app.use(rs.metadata());
 * router.get('/notes', rs.authenticate(), requireScopes('notes:read'), listNotes);
 */
export function createResourceServer(options: ResourceServerOptions): ResourceServer {
  const core = createCore(options);
  const metadata = createMetadataMiddleware(core.metadata);
  return {
    authenticate: (authenticateOptions?: AuthenticateOptions) =>
      createAuthenticate(core, authenticateOptions),
    metadata: () => metadata,
    revocationFeed: () => core.revocation?.state(),
    close: async () => {
      await core.revocation?.close();
    },
  } as ResourceServer;
}
