import { type ArtifactsRepository, isDatabaseUnavailable } from '@portcullis/storage';
import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { DatabaseUnavailableError } from '../errors.ts';
import { artifactDigest } from '../secrets/artifact-secrets.ts';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * oidc-provider's last check of a client assertion (`private_key_jwt`, RFC 7523), after its own:
 * the audience must be our issuer identifier, as a single string (draft-ietf-oauth-rfc7523bis §4).
 * oidc-provider 9 also accepts the token endpoint's URL and the URL of the endpoint being called
 * (introspection, revocation, ...), alone or in an array; those are refused here. An assertion
 * whose audience is an endpoint URL is what the audience-injection attack behind RFC 7523bis
 * harvests: a client that takes the endpoint URL from another server's metadata signs it for that
 * server, which can then replay it to us. The issuer cannot be planted that way: a client checks
 * the metadata's issuer against the one it was configured with.
 *
 * @example
 * configuration.assertJwtClientAuthClaimsAndHeader = assertClientAssertionAudience;
 */
export async function assertClientAssertionAudience(
  ctx: KoaContextWithOIDC,
  claims: Record<string, unknown>,
): Promise<void> {
  if (claims.aud !== ctx.oidc.issuer) {
    throw new errors.InvalidClientAuth(
      'audience (aud) must be the issuer identifier, as a single string',
    );
  }
}

/**
 * oidc-provider's outgoing requests (a client's `jwks_uri`): its own guard refuses addresses for
 * special use (loopback, private networks) by handing its `fetch` a dispatcher that drops such
 * connections. A JWKS URI on loopback is one the operator registered on purpose (the CLI allows
 * plain http there only), so for a loopback host that dispatcher is left out; every other host
 * keeps the guard.
 *
 * @example
 * configuration.fetch = fetchAllowingLoopback;
 */
export function fetchAllowingLoopback(
  input: string | URL | Request,
  init?: RequestInit,
): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : input);
  if (!LOOPBACK_HOSTS.has(url.hostname) || init === undefined) return fetch(input, init);
  const { dispatcher: _guard, ...rest } = init as RequestInit & { dispatcher?: unknown };
  return fetch(input, rest);
}

/**
 * Makes oidc-provider's replay detection (client assertions' and DPoP proofs' `jti`) one
 * insert-only write in PostgreSQL: the first use of an `iss` and `jti` wins and every other one,
 * even at the same instant on another replica, loses. oidc-provider's own looks the pair up and
 * then saves it, so two requests racing with one assertion could both pass. The pair is stored
 * under its SHA-256 digest (no value in it could be presented again) until the assertion expires,
 * and the janitor removes it after.
 *
 * @example
 * detectReplaysInPostgres(provider, artifacts);
 */
export function detectReplaysInPostgres(provider: Provider, artifacts: ArtifactsRepository): void {
  provider.ReplayDetection.unique = async (iss: string, jti: string, exp: number) => {
    // Both parts delimited, so no other pair (`ab` + `c`, `a` + `bc`) shares the key.
    const id = artifactDigest(JSON.stringify([iss, jti]));
    const expiresInSeconds = Math.max(1, Math.ceil(exp - Date.now() / 1000));
    try {
      return await artifacts.insertIfAbsent({
        model: 'ReplayDetection',
        id,
        payload: { iss },
        expiresInSeconds,
      });
    } catch (error) {
      throw isDatabaseUnavailable(error) ? new DatabaseUnavailableError(error) : error;
    }
  };
}
