import type { Context, Middleware, Next, ParameterizedContext } from 'koa';
import type { ResolvedOptions } from '../config/resolve-options.ts';
import { type DpopCheck, enforceTokenBinding } from '../dpop/enforce-token-binding.ts';
import {
  CredentialsRequiredError,
  InvalidTokenError,
  isResourceServerError,
  ResourceServerConfigError,
} from '../errors.ts';
import {
  type ChallengeSettings,
  markDpopUsed,
  setChallengeSettings,
} from '../http/challenge-state.ts';
import {
  type AcceptedSchemes,
  assertToken68,
  type Credentials,
  readCredentials,
} from '../http/read-credentials.ts';
import { sendError } from '../http/send-error.ts';
import type { Introspector } from '../introspection/create-introspector.ts';
import type { RevocationSubscriber } from '../revocation/create-revocation-subscriber.ts';
import type { AuthContext, AuthenticateOptions, OptionalAuthState } from '../types.ts';
import type { TokenVerifier } from '../verify/create-token-verifier.ts';
import { setRealm } from './realm-state.ts';

/** The verifiers one resource server's `authenticate()` middleware share. */
export interface AuthenticateDependencies {
  /** RFC 9068 JWT verification (with its verified-token cache). */
  readonly verifier: TokenVerifier;
  /** Introspection of opaque tokens; undefined when not configured. */
  readonly introspector: Introspector | undefined;
  /** DPoP proof checking; undefined when DPoP is off. */
  readonly dpop: DpopCheck | undefined;
  /** The revocation feed's verdicts; undefined when it is not followed. */
  readonly revocation?: RevocationSubscriber | undefined;
}

function resolveOptional(options: AuthenticateOptions | undefined): boolean {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null) {
    throw new ResourceServerConfigError('authenticate', 'options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (key !== 'optional')
      throw new ResourceServerConfigError(`authenticate.${key}`, 'unknown option');
  }
  if (options.optional !== undefined && typeof options.optional !== 'boolean') {
    throw new ResourceServerConfigError('authenticate.optional', 'must be a boolean');
  }
  return options.optional ?? false;
}

// A JWS has three segments and a JWE five: those go to local verification (which refuses a JWE,
// docs/security.md: resource servers). Anything else is an opaque token, for introspection when
// it is configured.
function isJoseShaped(token: string): boolean {
  let dots = 0;
  for (let index = token.indexOf('.'); index !== -1; index = token.indexOf('.', index + 1)) {
    dots += 1;
  }
  return dots === 2 || dots === 4;
}

/**
 * Creates the Koa middleware behind `rs.authenticate()`: reads the token (`Bearer`, or `DPoP`
 * where enabled), verifies it (JWT locally; an opaque token by introspection when configured),
 * enforces its key binding and DPoP proof on every request, and sets `ctx.state.auth`; or
 * answers the error itself without calling `next`. `next` is awaited outside any `try`, so an
 * error thrown downstream is never turned into a 401.
 *
 * @example
 * app.use(createAuthenticate(config, { verifier, introspector, dpop }, { optional: true }));
 */
export function createAuthenticate(
  config: ResolvedOptions,
  dependencies: AuthenticateDependencies,
  options?: AuthenticateOptions,
): Middleware<OptionalAuthState> {
  const optional = resolveOptional(options);
  const { verifier, introspector, dpop, revocation } = dependencies;
  const accepted: AcceptedSchemes = {
    bearer: config.dpop?.required !== true,
    dpop: config.dpop !== undefined,
  };
  const challenge: ChallengeSettings = Object.freeze({
    bearer: accepted.bearer,
    dpopAlgs: config.dpop?.algorithms.join(' '),
    resourceMetadata: config.metadataUrl,
  });

  const answer = (ctx: Context, error: unknown): void => {
    if (!isResourceServerError(error)) throw error;
    sendError(ctx, error, config.realm);
  };

  // The common case, a Bearer JWT verified before (in the cache, not key-bound), is answered
  // without waiting on anything: no promise between the header and `next`. Its syntax is not
  // checked again: only tokens that passed `assertToken68` are verified, and so cached.
  return function authenticate(ctx, next) {
    setRealm(ctx.state, config.realm);
    setChallengeSettings(ctx.state, challenge);
    let credentials: Credentials | undefined;
    try {
      credentials = readCredentials(ctx.req, config.maxTokenLength, accepted);
    } catch (error) {
      answer(ctx, error);
      return Promise.resolve();
    }
    if (credentials?.scheme === 'bearer') {
      const cached = verifier.cached(credentials.token);
      if (cached !== undefined && cached.claims.cnf === undefined) {
        // A cached token is judged by the revocation feed on every request, like a new one.
        const verdict = revocation?.judge(cached) ?? 'accepted';
        if (verdict === 'accepted') {
          ctx.state.auth = cached;
          return next();
        }
        if (verdict === 'revoked') {
          answer(ctx, new InvalidTokenError('the access token was revoked'));
          return Promise.resolve();
        }
      }
    }
    return authenticateFully(ctx, next, credentials);
  };

  async function authenticateFully(
    ctx: ParameterizedContext<OptionalAuthState>,
    next: Next,
    credentials: Credentials | undefined,
  ): Promise<void> {
    let auth: AuthContext | undefined;
    try {
      if (credentials === undefined) {
        if (!optional) throw new CredentialsRequiredError();
      } else {
        if (credentials.scheme === 'dpop') markDpopUsed(ctx.state);
        const { token } = credentials;
        assertToken68(token);
        auth =
          introspector !== undefined && !isJoseShaped(token)
            ? await introspector.introspect(token)
            : await verifier.verify(token);
        await revocation?.check(auth);
        await enforceTokenBinding(ctx, credentials, auth, dpop);
      }
    } catch (error) {
      answer(ctx, error);
      return;
    }
    if (auth !== undefined) ctx.state.auth = auth;
    await next();
  }
}
