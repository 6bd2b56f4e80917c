import { fail, httpUrl, isQuotable, scopeList } from '../config/option-checks.ts';

/** Options about how this resource describes itself (RFC 9728), after validation. */
export interface ResolvedMetadataOptions {
  /** Public URL of the server root, without a trailing slash. */
  readonly publicUrl: string | undefined;
  /** The `resource_metadata` URL sent in challenges. */
  readonly metadataUrl: string | undefined;
  readonly resourceName: string | undefined;
  readonly scopes: readonly string[] | undefined;
}

// Printable ASCII without space, `"` and `\`.
const asciiUrlPattern = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function quotableUrl(key: string, value: unknown): URL {
  const url = httpUrl(key, value);
  // Checked on the value as given: the URL parser would silently punycode a non-ASCII host,
  // percent-encode the path, drop tabs and newlines and turn `\` into `/`, so the URL sent to
  // clients would not be the one configured.
  if (!asciiUrlPattern.test(value as string)) {
    fail(key, 'must be printable ASCII without spaces, quotes or backslashes (punycode the host)');
  }
  // `https://@host` has empty credentials, which the parser drops: refused all the same.
  if (url.username !== '' || url.password !== '' || /^[^/]*\/\/[^/?#]*@/.test(value as string)) {
    fail(key, 'must not contain credentials');
  }
  // The serialised URL goes into the challenge between quotes.
  if (!isQuotable(url.href)) fail(key, 'must serialise to printable ASCII (punycode the host)');
  return url;
}

/**
 * Validates `publicUrl`, `metadataUrl`, `resourceName` and `scopes`, and derives the default
 * `metadataUrl` (`${publicUrl}/.well-known/oauth-protected-resource`).
 *
 * @example
 * resolveMetadataOptions({ publicUrl: 'https://api.example.com' });
 */
export function resolveMetadataOptions(options: {
  publicUrl?: unknown;
  metadataUrl?: unknown;
  resourceName?: unknown;
  scopes?: unknown;
}): ResolvedMetadataOptions {
  let publicUrl: string | undefined;
  if (options.publicUrl !== undefined) {
    const url = quotableUrl('publicUrl', options.publicUrl);
    if (url.search !== '' || String(options.publicUrl).includes('?')) {
      fail('publicUrl', 'must not contain a query');
    }
    publicUrl = url.href.replace(/\/+$/, '');
  }
  const metadataUrl =
    options.metadataUrl === undefined
      ? publicUrl && `${publicUrl}/.well-known/oauth-protected-resource`
      : quotableUrl('metadataUrl', options.metadataUrl).href;
  const { resourceName } = options;
  if (
    resourceName !== undefined &&
    (typeof resourceName !== 'string' || resourceName.trim() === '' || resourceName.length > 200)
  ) {
    fail('resourceName', 'must be a non-blank string of at most 200 characters');
  }
  return Object.freeze({
    publicUrl,
    metadataUrl,
    resourceName,
    scopes: scopeList('scopes', options.scopes),
  });
}
