import { jwtVerify } from 'jose';
import { createExpiringCache, tokenCacheKey } from '../cache/expiring-cache.ts';
import type { ResolvedOptions } from '../config/resolve-options.ts';
import { isResourceServerError } from '../errors.ts';
import type { KeyResolver } from '../keys/create-key-resolver.ts';
import type { AuthContext } from '../types.ts';
import { toAuthContext } from './to-auth-context.ts';
import { toInvalidTokenError } from './to-invalid-token-error.ts';

/** Verifies one access token string and returns who it speaks for. */
export interface TokenVerifier {
  /**
   * Resolves with the token's `AuthContext`, or rejects with `InvalidTokenError` (401) or
   * `TemporarilyUnavailableError` (503). Rejects with nothing else unless there is a bug.
   */
  verify(token: string): Promise<AuthContext>;
  /**
   * The token's `AuthContext` when it was verified before and is still in the cache (never past
   * its `exp` or maximum age), without waiting; undefined otherwise (then call `verify`).
   */
  cached(token: string): AuthContext | undefined;
}

// RFC 9068 §2.2 requires these; jose checks presence, `toAuthContext` checks the types.
const rfc9068Claims = ['exp', 'iat', 'sub', 'client_id', 'jti'];

/**
 * Creates the RFC 9068 verifier of one resource server: algorithm allow-list fixed by
 * configuration (checked by jose before any key lookup, so a forged `alg` never costs a JWKS
 * fetch), `typ` `at+jwt` or `application/at+jwt` (case-insensitive), exact `iss`, `aud`
 * containing the audience, `exp`/`nbf`/`iat` within the configured leeway, `iat` no older than
 * `maxTokenAgeSeconds` when set, and the configured extra required claims. A JWE (five
 * segments) is not a JWS and fails. Verified tokens are remembered, by SHA-256 digest, until
 * their `exp` (or maximum age), so a hot token is verified once; the verifier's leeway is not
 * extended by the cache, and failures are not cached (a bad token is refused by full
 * verification).
 *
 * @example
 * const verifier = createTokenVerifier(config, createKeyResolver(config));
 * const auth = await verifier.verify(token);
 */
export function createTokenVerifier(config: ResolvedOptions, getKey: KeyResolver): TokenVerifier {
  const options = {
    issuer: config.issuer,
    audience: config.audience,
    algorithms: [...config.algorithms],
    typ: 'at+jwt',
    clockTolerance: config.clockToleranceSeconds,
    requiredClaims: [...new Set([...rfc9068Claims, ...config.requiredClaims])],
    ...(config.maxTokenAgeSeconds !== undefined && { maxTokenAge: config.maxTokenAgeSeconds }),
  };
  // A cached token leaves the cache when it reaches the maximum age, as well as at its `exp`.
  const maxAgeMs =
    config.maxTokenAgeSeconds === undefined
      ? undefined
      : (config.maxTokenAgeSeconds + config.clockToleranceSeconds) * 1000;

  const cache =
    config.cacheMaxEntries > 0
      ? createExpiringCache<AuthContext>(config.cacheMaxEntries)
      : undefined;

  /** Until the token's `exp`, or its maximum age when that is earlier; never when it has no `exp`. */
  function expiryOf(auth: AuthContext): number | undefined {
    const { exp, iat } = auth.claims;
    if (typeof exp !== 'number') return undefined;
    if (maxAgeMs === undefined || typeof iat !== 'number') return exp * 1000;
    return Math.min(exp * 1000, iat * 1000 + maxAgeMs);
  }

  async function verifyInFull(token: string, now: number): Promise<AuthContext> {
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(token, getKey, { ...options, currentDate: new Date(now) }));
    } catch (error) {
      if (isResourceServerError(error)) throw error;
      throw toInvalidTokenError(error);
    }
    return toAuthContext(payload, Math.floor(now / 1000), config.clockToleranceSeconds);
  }

  return {
    cached(token) {
      return cache?.get(tokenCacheKey(token), config.now());
    },
    async verify(token) {
      const now = config.now();
      if (cache === undefined) return verifyInFull(token, now);
      const key = tokenCacheKey(token);
      const cached = cache.get(key, now);
      if (cached) return cached;
      const auth = await verifyInFull(token, now);
      const expiresAt = expiryOf(auth);
      if (expiresAt !== undefined) cache.set(key, auth, expiresAt, now);
      return auth;
    },
  };
}
