import { parseUrl } from './parse-url.ts';
import { readJsonObject } from './read-json-object.ts';

// Authorization server metadata is small; anything bigger is not metadata.
const maxMetadataBytes = 256 * 1024;

/**
 * Fetches `${issuer}/.well-known/oauth-authorization-server` (RFC 8414) and returns the http(s)
 * URL it advertises under `field` (`jwks_uri`, `introspection_endpoint`). Rejects metadata whose
 * `issuer` is not exactly ours (RFC 8414 §3.3: otherwise another server's metadata could name its
 * own keys, or receive our client secret). Redirects are not followed. Throws a plain `Error` on
 * any failure; the caller turns it into a 503.
 *
 * @example
 * const jwksUri = await discoverEndpoint('http://localhost:3000', 'jwks_uri', 5000);
 */
export async function discoverEndpoint(
  issuer: string,
  field: 'jwks_uri' | 'introspection_endpoint' | 'revocation_feed_endpoint',
  timeoutMs: number,
): Promise<URL> {
  // oidc-provider serves its metadata under the issuer's path, like OpenID discovery.
  const url = `${issuer.replace(/\/$/, '')}/.well-known/oauth-authorization-server`;
  const response = await fetch(url, {
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: 'application/json' },
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`metadata request answered HTTP ${response.status}`);
  }
  const metadata = await readJsonObject(response, maxMetadataBytes);
  if (metadata.issuer !== issuer) {
    throw new Error('metadata "issuer" does not match the configured issuer');
  }
  const value = metadata[field];
  const parsed = typeof value === 'string' ? parseUrl(value) : null;
  if (parsed === null || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new Error(`metadata has no http(s) "${field}"`);
  }
  return parsed;
}
