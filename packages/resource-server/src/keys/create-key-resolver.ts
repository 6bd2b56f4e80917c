import {
  type CompactJWSHeaderParameters,
  type CryptoKey,
  createRemoteJWKSet,
  customFetch,
  type FetchImplementation,
  type FlattenedJWSInput,
  type RemoteJWKSet,
} from 'jose';
import type { ResolvedOptions } from '../config/resolve-options.ts';
import { InvalidTokenError, isResourceServerError } from '../errors.ts';
import { discoverEndpoint } from '../http/discover-endpoint.ts';
import { createFailureGate } from './create-failure-gate.ts';

/** Finds the issuer key that verifies a token, given its (not yet authenticated) header. */
export type KeyResolver = (
  header: CompactJWSHeaderParameters,
  token: FlattenedJWSInput,
) => Promise<CryptoKey>;

// jose errors meaning "the JWKS was fetched fine, the token names no usable key in it".
const keyMismatchCodes = new Set([
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_NOT_SUPPORTED',
]);

function isKeyMismatch(error: unknown): boolean {
  return keyMismatchCodes.has((error as { code?: unknown } | null)?.code as string);
}

/**
 * Creates the key resolver of one resource server. Keys come only from the configured (or
 * discovered) `jwks_uri` of the configured issuer: nothing in the token header (`jku`, `x5u`,
 * `jwk`, `x5c`) is ever used to locate a key. The remote JWKS is created once; jose refetches it
 * for an unknown `kid` at most once per `cooldownMs`. Failures to reach the issuer become
 * `TemporarilyUnavailableError` (503) and close a failure gate so that an outage is not
 * multiplied by the request rate. Nothing is fetched until the first token arrives.
 *
 * @example
 * const getKey = createKeyResolver(resolveOptions({ issuer, audience }));
 * await jwtVerify(token, getKey, { algorithms: ['ES256'] });
 */
export function createKeyResolver(config: ResolvedOptions): KeyResolver {
  const gate = createFailureGate(config.jwks.cooldownMs, config.now);
  const gatedFetch: FetchImplementation = async (url, init) => {
    gate.assertOpen();
    return fetch(url, init);
  };
  const createSet = (uri: URL) =>
    createRemoteJWKSet(uri, {
      timeoutDuration: config.jwks.timeoutMs,
      cooldownDuration: config.jwks.cooldownMs,
      cacheMaxAge: config.jwks.cacheMaxAgeMs,
      [customFetch]: gatedFetch,
    });

  let remoteSet: RemoteJWKSet | undefined = config.jwksUri && createSet(config.jwksUri);
  let discovering: Promise<RemoteJWKSet> | undefined;

  async function discover(): Promise<RemoteJWKSet> {
    gate.assertOpen();
    try {
      const set = createSet(
        await discoverEndpoint(config.issuer, 'jwks_uri', config.jwks.timeoutMs),
      );
      remoteSet = set;
      return set;
    } catch (cause) {
      throw gate.recordFailure(cause);
    }
  }

  function getRemoteSet(): Promise<RemoteJWKSet> {
    if (remoteSet !== undefined) return Promise.resolve(remoteSet);
    // Concurrent first requests share one discovery request.
    discovering ??= discover().finally(() => {
      discovering = undefined;
    });
    return discovering;
  }

  return async (header, token) => {
    const set = await getRemoteSet();
    try {
      return await set(header, token);
    } catch (error) {
      // The gate refused to fetch: already the right 503.
      if (isResourceServerError(error)) throw error;
      if (isKeyMismatch(error))
        throw new InvalidTokenError('no key of the issuer matches the token');
      throw gate.recordFailure(error);
    }
  };
}
