import { ResourceServerConfigError } from '../errors.ts';
import type { ResourceServerOptions } from '../types.ts';

/** Options after validation, with every default applied. */
export interface ResolvedOptions {
  readonly issuer: string;
  readonly audience: string;
  /** Undefined: discover it from the issuer's metadata. */
  readonly jwksUri: URL | undefined;
  readonly algorithms: readonly string[];
  readonly clockToleranceSeconds: number;
  readonly maxTokenLength: number;
  readonly realm: string;
  readonly jwks: {
    readonly timeoutMs: number;
    readonly cooldownMs: number;
    readonly cacheMaxAgeMs: number;
  };
  readonly now: () => number;
  /** Verified-token cache size; 0 when the cache is off. */
  readonly cacheMaxEntries: number;
}

// Asymmetric JWS algorithms only: with an HMAC algorithm the "key" would be a public value, and
// `none` has no signature at all (RFC 8725 §3.1).
const supportedAlgorithms = new Set([
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

const topLevelKeys = new Set([
  'issuer',
  'audience',
  'jwksUri',
  'algorithms',
  'clockToleranceSeconds',
  'maxTokenLength',
  'realm',
  'jwks',
  'now',
  'cache',
]);
const jwksKeys = new Set(['timeoutMs', 'cooldownMs', 'cacheMaxAgeMs']);

// RFC 7230 quoted-string content without the characters that would need escaping, so the
// realm can be written into the challenge verbatim.
const realmPattern = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;

function fail(key: string, message: string): never {
  throw new ResourceServerConfigError(key, message);
}

function rejectUnknownKeys(value: object, known: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) fail(`${prefix}${key}`, 'unknown option (check the spelling)');
  }
}

function httpUrl(key: string, value: unknown): URL {
  if (typeof value !== 'string' || value === '') fail(key, 'must be a non-empty string');
  const url = URL.parse(value);
  if (url === null) fail(key, 'must be an absolute URL');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(key, 'must be an http(s) URL');
  if (url.hash !== '' || value.includes('#')) fail(key, 'must not contain a fragment');
  return url;
}

function integerInRange(key: string, value: unknown, fallback: number, min: number, max: number) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(key, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function resolveAlgorithms(value: unknown): readonly string[] {
  if (value === undefined) return ['ES256'];
  if (!Array.isArray(value) || value.length === 0) fail('algorithms', 'must be a non-empty array');
  for (const alg of value) {
    if (typeof alg !== 'string') fail('algorithms', 'must contain only strings');
    if (alg.toLowerCase() === 'none') fail('algorithms', '"none" is never allowed');
    if (/^HS/i.test(alg)) fail('algorithms', 'HMAC algorithms (HS*) are never allowed');
    if (!supportedAlgorithms.has(alg)) {
      fail(
        'algorithms',
        `unsupported algorithm; use some of ${[...supportedAlgorithms].join(', ')}`,
      );
    }
  }
  return Object.freeze([...new Set(value as string[])]);
}

function resolveClockTolerance(value: unknown): number {
  if (value === undefined) return 30;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 60) {
    fail('clockToleranceSeconds', 'must be a number of seconds from 0 to 60');
  }
  return value;
}

function resolveRealm(value: unknown, audience: string): string {
  if (value === undefined) {
    if (!realmPattern.test(audience)) {
      fail(
        'realm',
        'the audience cannot serve as the default realm (it has " or \\ or non-ASCII); set it',
      );
    }
    return audience;
  }
  if (typeof value !== 'string' || !realmPattern.test(value)) {
    fail('realm', 'must be a non-empty string of printable ASCII without " or \\');
  }
  return value;
}

function resolveJwks(value: unknown): ResolvedOptions['jwks'] {
  if (value === undefined) value = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('jwks', 'must be an object');
  }
  rejectUnknownKeys(value, jwksKeys, 'jwks.');
  const jwks = value as Record<string, unknown>;
  // A short cooldown would let a flood of tokens with random `kid`s become a flood of fetches.
  return Object.freeze({
    timeoutMs: integerInRange('jwks.timeoutMs', jwks.timeoutMs, 5_000, 1, 60_000),
    cooldownMs: integerInRange('jwks.cooldownMs', jwks.cooldownMs, 30_000, 1_000, 3_600_000),
    cacheMaxAgeMs: integerInRange(
      'jwks.cacheMaxAgeMs',
      jwks.cacheMaxAgeMs,
      600_000,
      1_000,
      86_400_000,
    ),
  });
}

/**
 * Validates `createResourceServer` options and applies defaults. Throws a
 * `ResourceServerConfigError` naming the first bad key; never replaces a bad value.
 *
 * @example
 * resolveOptions({ issuer: 'http://localhost:3000', audience: 'http://localhost:4000' });
 */
export function resolveOptions(options: ResourceServerOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'must be an object');
  rejectUnknownKeys(options, topLevelKeys, '');
  const issuer = httpUrl('issuer', options.issuer);
  if (issuer.search !== '') fail('issuer', 'must not contain a query (RFC 8414)');
  if (typeof options.audience !== 'string' || options.audience === '') {
    fail('audience', 'must be a non-empty string');
  }
  const jwksUri = options.jwksUri === undefined ? undefined : httpUrl('jwksUri', options.jwksUri);
  if (options.now !== undefined && typeof options.now !== 'function')
    fail('now', 'must be a function');
  return Object.freeze({
    // Kept as given, not normalised: `iss` is compared with exactly this string.
    issuer: options.issuer,
    audience: options.audience,
    jwksUri,
    algorithms: resolveAlgorithms(options.algorithms),
    clockToleranceSeconds: resolveClockTolerance(options.clockToleranceSeconds),
    maxTokenLength: integerInRange('maxTokenLength', options.maxTokenLength, 4096, 16, 65_536),
    realm: resolveRealm(options.realm, options.audience),
    jwks: resolveJwks(options.jwks),
    now: options.now ?? Date.now,
    cacheMaxEntries: resolveCache(options.cache),
  });
}

function resolveCache(value: ResourceServerOptions['cache']): number {
  if (value === undefined) return 10_000;
  if (value === false) return 0;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('cache', 'must be false or an object');
  }
  rejectUnknownKeys(value, new Set(['maxEntries']), 'cache.');
  return integerInRange('cache.maxEntries', value.maxEntries, 10_000, 1, 1_000_000);
}
