import type { ResolvedOptions } from '../config/resolve-options.ts';
import { type DpopCheck, enforceTokenBinding } from '../dpop/enforce-token-binding.ts';
import {
  CredentialsRequiredError,
  InvalidTokenError,
  isResourceServerError,
  type ResourceServerError,
} from '../errors.ts';
import type { ChallengeSettings } from '../http/challenge-state.ts';
import type { CredentialRequest } from '../http/credential-request.ts';
import {
  type AcceptedSchemes,
  assertToken68,
  type Credentials,
  readCredentials,
} from '../http/read-credentials.ts';
import type { Introspector } from '../introspection/create-introspector.ts';
import type { RevocationSubscriber } from '../revocation/create-revocation-subscriber.ts';
import type { AuthContext } from '../types.ts';
import type { TokenVerifier } from '../verify/create-token-verifier.ts';

/** The verifiers one resource server's adapters share. */
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

/**
 * What authenticating one request decided: `auth` (undefined when optional authentication found
 * no credentials) or the `error` to answer. `dpopUsed` tells which scheme the challenge of any
 * later error names.
 */
export type AuthOutcome =
  | { readonly ok: true; readonly auth: AuthContext | undefined; readonly dpopUsed: boolean }
  | { readonly ok: false; readonly error: ResourceServerError; readonly dpopUsed: boolean };

/** Authenticates one request; `optional` lets a request without credentials through. */
export interface RequestAuthenticator {
  /** The challenge parameters of this resource server, for the answers of later errors. */
  readonly settings: ChallengeSettings;
  /**
   * Reads and verifies the request's credentials. A token verified before (in the cache, not
   * key-bound) is answered synchronously: no promise between the header and the route.
   */
  authenticate(request: CredentialRequest, optional: boolean): AuthOutcome | Promise<AuthOutcome>;
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

function failed(error: unknown, dpopUsed: boolean): AuthOutcome {
  // Anything but one of ours is a bug or a broken store: it propagates to the host.
  if (!isResourceServerError(error)) throw error;
  return { ok: false, error, dpopUsed };
}

/**
 * The framework-free heart of every adapter: reads the token (`Bearer`, or `DPoP` where enabled)
 * from the request's one Authorization header, verifies it (JWT locally; an opaque token by
 * introspection when configured), enforces its key binding and DPoP proof on every request, and
 * tells the adapter the auth context or the error to answer.
 *
 * @example
 * const outcome = await createRequestAuthenticator(config, dependencies).authenticate(request, false);
 */
export function createRequestAuthenticator(
  config: ResolvedOptions,
  dependencies: AuthenticateDependencies,
): RequestAuthenticator {
  const { verifier, introspector, dpop, revocation } = dependencies;
  const accepted: AcceptedSchemes = {
    bearer: config.dpop?.required !== true,
    dpop: config.dpop !== undefined,
  };
  const settings: ChallengeSettings = Object.freeze({
    bearer: accepted.bearer,
    dpopAlgs: config.dpop?.algorithms.join(' '),
    resourceMetadata: config.metadataUrl,
  });

  async function authenticateFully(
    request: CredentialRequest,
    credentials: Credentials | undefined,
    optional: boolean,
  ): Promise<AuthOutcome> {
    if (credentials === undefined) {
      return optional
        ? { ok: true, auth: undefined, dpopUsed: false }
        : failed(new CredentialsRequiredError(), false);
    }
    const dpopUsed = credentials.scheme === 'dpop';
    try {
      const { token } = credentials;
      assertToken68(token);
      const auth =
        introspector !== undefined && !isJoseShaped(token)
          ? await introspector.introspect(token)
          : await verifier.verify(token);
      await revocation?.check(auth);
      await enforceTokenBinding(request, credentials, auth, dpop);
      return { ok: true, auth, dpopUsed };
    } catch (error) {
      return failed(error, dpopUsed);
    }
  }

  return {
    settings,
    authenticate(request, optional) {
      let credentials: Credentials | undefined;
      try {
        credentials = readCredentials(request, config.maxTokenLength, accepted);
      } catch (error) {
        return failed(error, false);
      }
      // Its syntax is not checked again: only tokens that passed `assertToken68` are verified,
      // and so cached.
      if (credentials?.scheme === 'bearer') {
        const cached = verifier.cached(credentials.token);
        if (cached !== undefined && cached.claims.cnf === undefined) {
          // A cached token is judged by the revocation feed on every request, like a new one;
          // while the feed cannot vouch for it, the full path answers (a 503).
          const verdict = revocation?.judge(cached) ?? 'accepted';
          if (verdict === 'accepted') return { ok: true, auth: cached, dpopUsed: false };
          if (verdict === 'revoked') {
            return failed(new InvalidTokenError('the access token was revoked'), false);
          }
        }
      }
      return authenticateFully(request, credentials, optional);
    },
  };
}
