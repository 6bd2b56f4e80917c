/**
 * What the logs never show (docs/security.md, "Logs and redaction"): credentials, tokens, codes
 * and passwords. Two layers: every field with one of these names (in any case) is replaced by
 * `[redacted]` wherever it sits in a log line, and every string logged is scrubbed of secrets
 * embedded in text (query strings, `Authorization` values, JWTs), in case an error message quotes
 * one. pino's own `redact` guards the top level once more.
 */
export const REDACTED = '[redacted]';

/** Field names whose values are secrets, wherever they appear in a log line's fields. */
const SECRET_FIELDS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'dpop',
  'password',
  'client_secret',
  'clientSecret',
  'secret',
  'code',
  'code_verifier',
  'device_code',
  'user_code',
  'access_token',
  'refresh_token',
  'id_token',
  'logout_token',
  'token',
  'client_assertion',
  'assertion',
  'privateJwk',
  'private_key',
  'keyEncryptionKey',
  'cookieKeys',
] as const;

const SECRET_KEYS = new Set<string>(SECRET_FIELDS.map((field) => field.toLowerCase()));

/**
 * Whether a field named `key` holds a secret (any case): its value is logged as `[redacted]`.
 *
 * @example
 * isSecretField('Authorization'); // true
 */
export function isSecretField(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase());
}

const accessor = (field: string) =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(field) ? field : `["${field}"]`;

/**
 * pino `redact` paths: each secret field at the top level of a line. Deeper fields are redacted
 * by {@link scrubValue}: pino's wildcard paths cost a millisecond per line.
 */
export function redactPaths(): string[] {
  return SECRET_FIELDS.map(accessor);
}

const QUERY_SECRETS =
  /((?:^|[?&#;,(\s])(?:code|code_verifier|device_code|user_code|access_token|refresh_token|id_token|logout_token|token|client_secret|client_assertion|assertion|password)\s*=\s*)[^&#\s"',;)]*/gi;
const JSON_SECRETS =
  /("(?:code|code_verifier|device_code|access_token|refresh_token|id_token|logout_token|token|client_secret|client_assertion|password)"\s*:\s*)"[^"]*"/gi;
const AUTH_SCHEMES = /\b(Bearer|Basic|DPoP)\s+[A-Za-z0-9._~+/=-]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
// Text that none of the patterns above can match is returned as it is, cheaply.
const MAYBE_SECRET = /[=:]|bearer|basic|dpop|eyJ/i;

/**
 * `text` with embedded secrets replaced: query-string and JSON values of secret parameters,
 * `Bearer`/`Basic`/`DPoP` credentials, and anything shaped like a JWT.
 *
 * @example
 * scrubText('GET /cb?code=abc&state=1'); // 'GET /cb?code=[redacted]&state=1'
 */
export function scrubText(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  return text
    .replace(QUERY_SECRETS, `$1${REDACTED}`)
    .replace(JSON_SECRETS, `$1"${REDACTED}"`)
    .replace(AUTH_SCHEMES, `$1 ${REDACTED}`)
    .replace(JWT, REDACTED);
}

const MAX_DEPTH = 6;

/**
 * A copy of `value` with every field named like a secret ({@link SECRET_FIELDS}, any case, any
 * depth) replaced by `[redacted]` and every string scrubbed by {@link scrubText} (objects and
 * arrays to a bounded depth; an `Error` becomes its name, message and stack).
 *
 * @example
 * scrubValue({ error: 'invalid_grant for code=abc' }); // { error: 'invalid_grant for code=[redacted]' }
 * scrubValue({ headers: { Authorization: 'Basic x' } }); // { headers: { Authorization: '[redacted]' } }
 */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[nested]';
  if (value instanceof Error) {
    return {
      name: value.name,
      message: scrubText(value.message),
      ...(value.stack ? { stack: scrubText(value.stack) } : {}),
    };
  }
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = isSecretField(key) ? REDACTED : scrubValue(item, depth + 1);
  }
  return copy;
}
