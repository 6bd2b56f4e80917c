import type { Middleware } from 'koa';
import { resolveOptions } from './config/resolve-options.ts';
import { createKeyResolver } from './keys/create-key-resolver.ts';
import { createAuthenticate } from './middleware/authenticate.ts';
import type {
  AuthenticatedState,
  AuthenticateOptions,
  OptionalAuthState,
  ResourceServerOptions,
} from './types.ts';
import { createTokenVerifier } from './verify/create-token-verifier.ts';

/** A configured resource server: one verifier and one remote JWKS shared by its middleware. */
export interface ResourceServer {
  /** Required authentication: 401 without a valid Bearer token; sets `ctx.state.auth`. */
  authenticate(options?: { optional?: false }): Middleware<AuthenticatedState>;
  /** Optional authentication: sets `ctx.state.auth` only when a token is presented. */
  authenticate(options: { optional: true }): Middleware<OptionalAuthState>;
  /** Required or optional authentication, decided at run time. */
  authenticate(options?: AuthenticateOptions): Middleware<OptionalAuthState>;
}

/**
 * Creates a resource server that verifies RFC 9068 JWT access tokens issued by `issuer` for
 * `audience`. Options are validated here (a `ResourceServerConfigError` names the bad key);
 * nothing is fetched until the first token arrives, and the JWKS is then fetched from
 * `jwksUri` or from the issuer's metadata.
 *
 * @example
 * const rs = createResourceServer({
 *   issuer: 'http://localhost:3000',
 *   audience: 'http://localhost:4000',
 * });
 * router.get('/notes', rs.authenticate(), requireScopes('notes:read'), listNotes);
 */
export function createResourceServer(options: ResourceServerOptions): ResourceServer {
  const config = resolveOptions(options);
  const verifier = createTokenVerifier(config, createKeyResolver(config));
  return {
    authenticate: (authenticateOptions?: AuthenticateOptions) =>
      createAuthenticate(config, verifier, authenticateOptions),
  } as ResourceServer;
}
