import {
  fail,
  httpUrl,
  integerInRange,
  nonEmptyString,
  optionalObject,
  rejectUnknownKeys,
} from '../config/option-checks.ts';

/** Introspection settings after validation. */
export interface ResolvedIntrospection {
  /** Undefined: discover `introspection_endpoint` from the issuer's metadata. */
  readonly endpoint: URL | undefined;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly maxCacheSeconds: number;
}

const keys = new Set(['endpoint', 'clientId', 'clientSecret', 'maxCacheSeconds']);

const hasControlCharacter = (value: string) =>
  [...value].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);

/**
 * Validates the `introspection` option; undefined when introspection is off.
 *
 * @example
 * resolveIntrospection({ clientId: 'rs', clientSecret: 's3cret' });
 */
export function resolveIntrospection(value: unknown): ResolvedIntrospection | undefined {
  if (value === undefined) return undefined;
  const options = optionalObject('introspection', value);
  rejectUnknownKeys(options, keys, 'introspection.');
  const endpoint =
    options.endpoint === undefined
      ? undefined
      : httpUrl('introspection.endpoint', options.endpoint);
  const clientId = nonEmptyString('introspection.clientId', options.clientId);
  // RFC 6749 §2.3.1 form-encodes both before Basic encoding, so any characters are fine, but a
  // control character is always a configuration mistake (a pasted newline).
  if (hasControlCharacter(clientId)) fail('introspection.clientId', 'has a control character');
  const clientSecret = nonEmptyString('introspection.clientSecret', options.clientSecret);
  if (hasControlCharacter(clientSecret)) {
    fail('introspection.clientSecret', 'has a control character');
  }
  return Object.freeze({
    endpoint,
    clientId,
    clientSecret,
    maxCacheSeconds: integerInRange(
      'introspection.maxCacheSeconds',
      options.maxCacheSeconds,
      60,
      0,
      3600,
    ),
  });
}
