import { type ResolvedDpop, resolveDpop } from '../dpop/resolve-dpop-options.ts';
import {
  type ResolvedIntrospection,
  resolveIntrospection,
} from '../introspection/resolve-introspection-options.ts';
import {
  type ResolvedMetadataOptions,
  resolveMetadataOptions,
} from '../metadata/resolve-metadata-options.ts';
import {
  type ResolvedRevocationFeed,
  resolveRevocationFeed,
} from '../revocation/resolve-revocation-options.ts';
import type { ResourceServerOptions } from '../types.ts';
import {
  algorithmList,
  fail,
  httpUrl,
  integerInRange,
  isQuotable,
  rejectUnknownKeys,
} from './option-checks.ts';

/** Options after validation, with every default applied. */
export interface ResolvedOptions extends ResolvedMetadataOptions {
  readonly issuer: string;
  readonly audience: string;
  /** Undefined: discover it from the issuer's metadata. */
  readonly jwksUri: URL | undefined;
  readonly algorithms: readonly string[];
  readonly clockToleranceSeconds: number;
  /** Undefined: no age limit beyond `exp`. */
  readonly maxTokenAgeSeconds: number | undefined;
  /** Claims required besides RFC 9068's. */
  readonly requiredClaims: readonly string[];
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
  /** Undefined: opaque tokens are refused. */
  readonly introspection: ResolvedIntrospection | undefined;
  /** Undefined: only Bearer credentials are read. */
  readonly dpop: ResolvedDpop | undefined;
  /** Undefined: the revocation feed is not followed. */
  readonly revocationFeed: ResolvedRevocationFeed | undefined;
}

const topLevelKeys = new Set([
  'issuer',
  'audience',
  'jwksUri',
  'algorithms',
  'clockToleranceSeconds',
  'maxTokenAgeSeconds',
  'requiredClaims',
  'maxTokenLength',
  'realm',
  'jwks',
  'now',
  'cache',
  'publicUrl',
  'metadataUrl',
  'resourceName',
  'scopes',
  'introspection',
  'dpop',
  'revocationFeed',
]);
const jwksKeys = new Set(['timeoutMs', 'cooldownMs', 'cacheMaxAgeMs']);

function resolveClockTolerance(value: unknown): number {
  if (value === undefined) return 30;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 60) {
    fail('clockToleranceSeconds', 'must be a number of seconds from 0 to 60');
  }
  return value;
}

function resolveRealm(value: unknown, audience: string): string {
  if (value === undefined) {
    if (!isQuotable(audience)) {
      fail(
        'realm',
        'the audience cannot serve as the default realm (it has " or \\ or non-ASCII); set it',
      );
    }
    return audience;
  }
  if (typeof value !== 'string' || !isQuotable(value)) {
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
  const metadata = resolveMetadataOptions(options);
  const introspection = resolveIntrospection(options.introspection);
  return Object.freeze({
    ...metadata,
    // Kept as given, not normalised: `iss` is compared with exactly this string.
    issuer: options.issuer,
    audience: options.audience,
    jwksUri,
    algorithms: algorithmList('algorithms', options.algorithms, ['ES256']),
    clockToleranceSeconds: resolveClockTolerance(options.clockToleranceSeconds),
    maxTokenAgeSeconds:
      options.maxTokenAgeSeconds === undefined
        ? undefined
        : integerInRange('maxTokenAgeSeconds', options.maxTokenAgeSeconds, 0, 1, 31_536_000),
    requiredClaims: resolveRequiredClaims(options.requiredClaims),
    maxTokenLength: integerInRange('maxTokenLength', options.maxTokenLength, 4096, 16, 65_536),
    realm: resolveRealm(options.realm, options.audience),
    jwks: resolveJwks(options.jwks),
    now: options.now ?? Date.now,
    cacheMaxEntries: resolveCache(options.cache),
    introspection,
    dpop: resolveDpop(options.dpop, metadata.publicUrl),
    revocationFeed: resolveRevocationFeed(options.revocationFeed, introspection),
  });
}

const claimName = /^[\x21-\x7e]{1,100}$/;

function resolveRequiredClaims(value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (
    !Array.isArray(value) ||
    value.length > 50 ||
    value.some((name) => typeof name !== 'string' || !claimName.test(name))
  ) {
    fail('requiredClaims', 'must be an array of at most 50 claim names (printable ASCII)');
  }
  if (new Set(value).size !== value.length) fail('requiredClaims', 'must not repeat a claim');
  return Object.freeze([...(value as string[])]);
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
