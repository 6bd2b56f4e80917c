import type { ResolvedOptions } from '../config/resolve-options.ts';

/** The RFC 9728 path the metadata is served at. */
export const metadataPath = '/.well-known/oauth-protected-resource';

/** The protected-resource metadata answer, the same for every request. */
export interface MetadataResponse {
  readonly status: 200;
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON document, serialised once. */
  readonly body: string;
}

/**
 * The RFC 9728 §2 document of one resource server, as an answer: `resource` (the audience),
 * `authorization_servers` (the issuer), `bearer_methods_supported` (`header` only: tokens in the
 * query or body are ignored), and, when configured, `scopes_supported`, `resource_name`,
 * `dpop_signing_alg_values_supported` and `dpop_bound_access_tokens_required`. JSON, cacheable
 * for five minutes: it changes only with the configuration.
 *
 * @example
 * JSON.parse(protectedResourceMetadata(resolveOptions({ issuer, audience })).body).resource;
 */
export function protectedResourceMetadata(config: ResolvedOptions): MetadataResponse {
  const document = {
    resource: config.audience,
    authorization_servers: [config.issuer],
    bearer_methods_supported: ['header'],
    ...(config.scopes !== undefined && { scopes_supported: config.scopes }),
    ...(config.resourceName !== undefined && { resource_name: config.resourceName }),
    ...(config.dpop !== undefined && {
      dpop_signing_alg_values_supported: config.dpop.algorithms,
      ...(config.dpop.required && { dpop_bound_access_tokens_required: true }),
    }),
  };
  return Object.freeze({
    status: 200,
    headers: Object.freeze({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'public, max-age=300',
    }),
    body: JSON.stringify(document),
  });
}

/**
 * Whether a request is one the metadata answers: `GET` or `HEAD` of exactly
 * {@link metadataPath} (the query is ignored).
 *
 * @example
 * isMetadataRequest('GET', '/.well-known/oauth-protected-resource'); // true
 */
export function isMetadataRequest(method: string, path: string): boolean {
  return path === metadataPath && (method === 'GET' || method === 'HEAD');
}
