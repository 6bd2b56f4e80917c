import type { ResolvedOptions } from '../config/resolve-options.ts';

/** The RFC 9728 path the metadata is served at. */
const metadataPath = '/.well-known/oauth-protected-resource';

/** The protected-resource metadata answer, the same for every request. */
export interface MetadataResponse {
  /**
   * The paths it is served at: {@link metadataPath}, and, for an audience URL with a path, the
   * path RFC 9728 §3.1 derives from it (`/.well-known/oauth-protected-resource/mcp` for
   * `https://mcp.example.com/mcp`), where clients that do not read the challenge look.
   */
  readonly paths: readonly string[];
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
    paths: Object.freeze(metadataPaths(config.audience)),
    status: 200,
    headers: Object.freeze({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'public, max-age=300',
    }),
    body: JSON.stringify(document),
  });
}

// RFC 9728 §3.1: the well-known path goes between the host and the path of the resource
// identifier. An audience that is no http(s) URL, or has no path, has the plain one only.
function metadataPaths(audience: string): string[] {
  const url = URL.canParse(audience) ? new URL(audience) : undefined;
  if (!url || !/^https?:$/.test(url.protocol) || url.pathname === '/') return [metadataPath];
  return [metadataPath, `${metadataPath}${url.pathname}`];
}

/**
 * Whether a request is one the metadata answers: `GET` or `HEAD` of exactly one of its
 * `paths` (the query is ignored).
 *
 * @example
 * isMetadataRequest('GET', '/.well-known/oauth-protected-resource', metadata); // true
 */
export function isMetadataRequest(
  method: string,
  path: string,
  metadata: Pick<MetadataResponse, 'paths'>,
): boolean {
  return metadata.paths.includes(path) && (method === 'GET' || method === 'HEAD');
}
