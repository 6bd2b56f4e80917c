import {
  fail,
  httpUrl,
  integerInRange,
  nonEmptyString,
  optionalObject,
  rejectUnknownKeys,
} from '../config/option-checks.ts';
import type { ResolvedIntrospection } from '../introspection/resolve-introspection-options.ts';

/** Revocation-feed settings after validation. */
export interface ResolvedRevocationFeed {
  /** Undefined: discover `revocation_feed_endpoint` from the issuer's metadata. */
  readonly endpoint: URL | undefined;
  readonly clientId: string;
  readonly clientSecret: string;
  /** How long tokens are still accepted once the feed cannot be reached, in ms. */
  readonly graceMs: number;
  /** The most revocations held in memory. */
  readonly maxEntries: number;
  /** How long one request waits at the feed for news, in seconds. */
  readonly waitSeconds: number;
}

const keys = new Set([
  'endpoint',
  'clientId',
  'clientSecret',
  'graceSeconds',
  'maxEntries',
  'waitSeconds',
]);

/**
 * Validates the `revocationFeed` option; undefined when it is off. `true` follows the feed with
 * the introspection client's credentials (which must be configured).
 *
 * @example
 * resolveRevocationFeed({ clientId: 'notes-api', clientSecret: 's3cret', graceSeconds: 60 });
 */
export function resolveRevocationFeed(
  value: unknown,
  introspection: ResolvedIntrospection | undefined,
): ResolvedRevocationFeed | undefined {
  if (value === undefined || value === false) return undefined;
  const options = value === true ? {} : optionalObject('revocationFeed', value);
  rejectUnknownKeys(options, keys, 'revocationFeed.');
  const endpoint =
    options.endpoint === undefined
      ? undefined
      : httpUrl('revocationFeed.endpoint', options.endpoint);
  let clientId: string;
  let clientSecret: string;
  if (options.clientId === undefined && options.clientSecret === undefined) {
    if (introspection === undefined) {
      fail(
        'revocationFeed.clientId',
        'give clientId and clientSecret (or configure introspection, whose client it then uses)',
      );
    }
    ({ clientId, clientSecret } = introspection);
  } else {
    clientId = nonEmptyString('revocationFeed.clientId', options.clientId);
    clientSecret = nonEmptyString('revocationFeed.clientSecret', options.clientSecret);
  }
  for (const [key, text] of [
    ['clientId', clientId],
    ['clientSecret', clientSecret],
  ] as const) {
    if ([...text].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) {
      fail(`revocationFeed.${key}`, 'has a control character');
    }
  }
  return Object.freeze({
    endpoint,
    clientId,
    clientSecret,
    graceMs:
      integerInRange('revocationFeed.graceSeconds', options.graceSeconds, 60, 0, 3600) * 1000,
    maxEntries: integerInRange(
      'revocationFeed.maxEntries',
      options.maxEntries,
      100_000,
      100,
      10_000_000,
    ),
    waitSeconds: integerInRange('revocationFeed.waitSeconds', options.waitSeconds, 20, 1, 30),
  });
}
