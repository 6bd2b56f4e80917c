import { createExpiringCache, tokenCacheKey } from '../cache/expiring-cache.ts';
import type { ResolvedOptions } from '../config/resolve-options.ts';
import { type InvalidTokenError, isResourceServerError } from '../errors.ts';
import { discoverEndpoint } from '../http/discover-endpoint.ts';
import { createFailureGate } from '../keys/create-failure-gate.ts';
import type { AuthContext } from '../types.ts';
import { requestIntrospection } from './request-introspection.ts';
import type { ResolvedIntrospection } from './resolve-introspection-options.ts';
import { toOpaqueAuthContext } from './to-opaque-auth-context.ts';

/** Judges opaque tokens by asking the issuer. */
export interface Introspector {
  /**
   * Resolves with the token's `AuthContext` (`token: 'opaque'`), or rejects with
   * `InvalidTokenError` (401) or `TemporarilyUnavailableError` (503).
   */
  introspect(token: string): Promise<AuthContext>;
}

type Outcome = { auth: AuthContext } | { refusal: InvalidTokenError };

// Refusals (inactive, or active but not for us) are remembered briefly: long enough to blunt a
// flood of one bad token, short enough not to matter if the answer was a transient mistake.
const refusalCacheSeconds = 5;

/**
 * Creates the RFC 7662 introspection client of one resource server. Answers are cached by the
 * SHA-256 of the token (the cache never holds a usable token): an accepted token for
 * min(its remaining life, `maxCacheSeconds`), a refusal for at most 5 s; concurrent requests
 * with the same token share one call. When the endpoint (or the metadata naming it) cannot be
 * reached, or answers anything but a 200 introspection answer, requests fail with 503 and, like
 * the JWKS path, fail fast for `jwks.cooldownMs` instead of each waiting for the timeout.
 *
 * @example
 * const introspector = createIntrospector(config, config.introspection);
 * const auth = await introspector.introspect(token);
 */
export function createIntrospector(
  config: ResolvedOptions,
  options: ResolvedIntrospection,
): Introspector {
  const gate = createFailureGate(config.jwks.cooldownMs, config.now);
  const maxEntries = config.cacheMaxEntries > 0 ? config.cacheMaxEntries : 10_000;
  const cache = createExpiringCache<Outcome>(maxEntries);
  const inFlight = new Map<string, Promise<Outcome>>();
  let endpoint: Promise<URL> | undefined = options.endpoint && Promise.resolve(options.endpoint);

  function getEndpoint(): Promise<URL> {
    // Concurrent first requests share one discovery; a failed one is forgotten so that the
    // next attempt after the cooldown tries again.
    endpoint ??= discoverEndpoint(
      config.issuer,
      'introspection_endpoint',
      config.jwks.timeoutMs,
    ).catch((cause: unknown) => {
      endpoint = undefined;
      throw cause;
    });
    return endpoint;
  }

  async function ask(token: string, key: string): Promise<Outcome> {
    gate.assertOpen();
    let answer: Record<string, unknown>;
    try {
      answer = await requestIntrospection(
        await getEndpoint(),
        token,
        options,
        config.jwks.timeoutMs,
      );
    } catch (cause) {
      throw gate.recordFailure(cause);
    }
    const now = config.now();
    try {
      const auth = toOpaqueAuthContext(answer, config, now);
      const exp = (auth.claims.exp as number) * 1000;
      cache.set(key, { auth }, Math.min(exp, now + options.maxCacheSeconds * 1000), now);
      return { auth };
    } catch (error) {
      if (!isResourceServerError(error)) throw error;
      const refusal = error as InvalidTokenError;
      const seconds = Math.min(refusalCacheSeconds, options.maxCacheSeconds);
      cache.set(key, { refusal }, now + seconds * 1000, now);
      return { refusal };
    }
  }

  return {
    async introspect(token) {
      const key = tokenCacheKey(token);
      let outcome = cache.get(key, config.now());
      if (outcome === undefined) {
        let pending = inFlight.get(key);
        if (pending === undefined) {
          pending = ask(token, key).finally(() => inFlight.delete(key));
          inFlight.set(key, pending);
        }
        outcome = await pending;
      }
      if ('refusal' in outcome) throw outcome.refusal;
      return outcome.auth;
    },
  };
}
