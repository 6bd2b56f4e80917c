// Checks shared by the option resolvers of each concern (core, introspection, DPoP, metadata).
// Each throws a `ResourceServerConfigError` naming the key; none replaces a bad value.
import { ResourceServerConfigError } from '../errors.ts';
import { parseUrl } from '../http/parse-url.ts';

/**
 * Asymmetric JWS algorithms only: with an HMAC algorithm the "key" would be a public value, and
 * `none` has no signature at all (RFC 8725 §3.1).
 */
const asymmetricAlgorithms: ReadonlySet<string> = new Set([
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
  'EdDSA',
  'Ed25519',
]);

// RFC 7230 quoted-string content without the characters that would need escaping, so the
// value can be written into a challenge verbatim.
const quotablePattern = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;
// RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`.
const scopeTokenPattern = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Throws the `ResourceServerConfigError` for `key`.
 *
 * @example
 * if (typeof value !== 'string') fail('realm', 'must be a string');
 */
export function fail(key: string, message: string): never {
  throw new ResourceServerConfigError(key, message);
}

/**
 * Whether `value` can go between the quotes of a challenge parameter without escaping.
 *
 * @example
 * isQuotable('notes api'); // true
 */
export function isQuotable(value: string): boolean {
  return quotablePattern.test(value);
}

/**
 * Refuses keys outside `known`, so a typo never becomes a silent default.
 *
 * @example
 * rejectUnknownKeys(options.jwks, new Set(['timeoutMs']), 'jwks.');
 */
export function rejectUnknownKeys(value: object, known: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) fail(`${prefix}${key}`, 'unknown option (check the spelling)');
  }
}

/**
 * An optional plain object (undefined gives `{}`), so nested keys can be validated one by one.
 *
 * @example
 * const dpop = optionalObject('dpop', options.dpop);
 */
export function optionalObject(key: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(key, 'must be an object');
  }
  return value as Record<string, unknown>;
}

/**
 * An absolute http(s) URL without a fragment.
 *
 * @example
 * httpUrl('jwksUri', 'https://as.example/jwks');
 */
export function httpUrl(key: string, value: unknown): URL {
  if (typeof value !== 'string' || value === '') fail(key, 'must be a non-empty string');
  const url = parseUrl(value);
  if (url === null) fail(key, 'must be an absolute URL');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(key, 'must be an http(s) URL');
  if (url.hash !== '' || value.includes('#')) fail(key, 'must not contain a fragment');
  return url;
}

/**
 * An integer from `min` to `max`, or `fallback` when undefined.
 *
 * @example
 * integerInRange('jwks.timeoutMs', options.jwks.timeoutMs, 5000, 1, 60000);
 */
export function integerInRange(
  key: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(key, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

/**
 * A non-empty string.
 *
 * @example
 * nonEmptyString('introspection.clientId', options.introspection.clientId);
 */
export function nonEmptyString(key: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') fail(key, 'must be a non-empty string');
  return value;
}

/**
 * A non-empty list of allowed asymmetric JWS algorithms, or `fallback` when undefined.
 *
 * @example
 * algorithmList('algorithms', ['ES256'], ['ES256']);
 */
export function algorithmList(
  key: string,
  value: unknown,
  fallback: readonly string[],
): readonly string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.length === 0) fail(key, 'must be a non-empty array');
  for (const alg of value) {
    if (typeof alg !== 'string') fail(key, 'must contain only strings');
    if (alg.toLowerCase() === 'none') fail(key, '"none" is never allowed');
    if (/^HS/i.test(alg)) fail(key, 'HMAC algorithms (HS*) are never allowed');
    if (!asymmetricAlgorithms.has(alg)) {
      fail(key, `unsupported algorithm; use some of ${[...asymmetricAlgorithms].join(', ')}`);
    }
  }
  return Object.freeze([...new Set(value as string[])]);
}

/**
 * A list of RFC 6749 scope-tokens (deduplicated), or undefined.
 *
 * @example
 * scopeList('scopes', ['notes:read', 'notes:write']);
 */
export function scopeList(key: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) fail(key, 'must be an array of scope names');
  for (const scope of value) {
    if (typeof scope !== 'string' || !scopeTokenPattern.test(scope)) {
      fail(key, 'each scope must be a non-empty string of printable ASCII without spaces, " or \\');
    }
  }
  return Object.freeze([...new Set(value as string[])]);
}
