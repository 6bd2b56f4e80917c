/**
 * What the logs never show (SECURITY.md): credentials, tokens, codes and passwords. Two layers:
 * every field with one of these names is replaced by `[redacted]` wherever it sits in a log
 * line (pino `redact`), and every string logged is scrubbed of secrets embedded in text (query
 * strings, `Authorization` values, JWTs), in case an error message quotes one.
 */
export const REDACTED = '[redacted]';

/** Field names whose values are secrets, wherever they appear in a log line's fields. */
export const SECRET_FIELDS = [
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

const accessor = (field: string) =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(field) ? `.${field}` : `["${field}"]`;

/** pino `redact` paths: each secret field at the top level and nested up to three levels. */
export function redactPaths(): string[] {
  return SECRET_FIELDS.flatMap((field) => {
    const tail = accessor(field);
    return [tail.startsWith('.') ? field : tail, `*${tail}`, `*.*${tail}`, `*.*.*${tail}`];
  });
}

const QUERY_SECRETS =
  /((?:^|[?&#;,(\s])(?:code|code_verifier|device_code|user_code|access_token|refresh_token|id_token|logout_token|token|client_secret|client_assertion|assertion|password)\s*=\s*)[^&#\s"',;)]*/gi;
const JSON_SECRETS =
  /("(?:code|code_verifier|device_code|access_token|refresh_token|id_token|logout_token|token|client_secret|client_assertion|password)"\s*:\s*)"[^"]*"/gi;
const AUTH_SCHEMES = /\b(Bearer|Basic|DPoP)\s+[A-Za-z0-9._~+/=-]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

/**
 * `text` with embedded secrets replaced: query-string and JSON values of secret parameters,
 * `Bearer`/`Basic`/`DPoP` credentials, and anything shaped like a JWT.
 *
 * @example
 * scrubText('GET /cb?code=abc&state=1'); // 'GET /cb?code=[redacted]&state=1'
 */
export function scrubText(text: string): string {
  return text
    .replace(QUERY_SECRETS, `$1${REDACTED}`)
    .replace(JSON_SECRETS, `$1"${REDACTED}"`)
    .replace(AUTH_SCHEMES, `$1 ${REDACTED}`)
    .replace(JWT, REDACTED);
}

const MAX_DEPTH = 6;

/**
 * A copy of `value` with every string in it scrubbed by {@link scrubText} (objects and arrays
 * to a bounded depth; an `Error` becomes its name, message and stack).
 *
 * @example
 * scrubValue({ error: 'invalid_grant for code=abc' }); // { error: 'invalid_grant for code=[redacted]' }
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
  for (const [key, item] of Object.entries(value)) copy[key] = scrubValue(item, depth + 1);
  return copy;
}
