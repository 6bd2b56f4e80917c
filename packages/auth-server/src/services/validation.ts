import { ADMIN_RESOURCE } from '../domain/admin-api.ts';
import { AuthServerError, type ErrorSubject } from '../errors.ts';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
// RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Throws `invalid_input` with `message`, which names what it is about itself; `subject` says
 * where that is in the input, for callers that point at it.
 *
 * @example
 * invalidInput(`scope "${scope}" is not defined on the client's resources`, {
 *   field: 'scopes',
 *   index: 1,
 *   value: scope,
 * });
 */
export function invalidInput(
  message: string,
  subject: Omit<ErrorSubject, 'predicate'> = {},
): never {
  throw new AuthServerError('invalid_input', message, subject);
}

/**
 * Throws `invalid_input` about the input field `field`: `problem` says what is wrong with it,
 * to be read after the field's name in the caller's terms (the CLI's flag, a file's key).
 *
 * @example
 * invalidField('accessTokenTtl', 'must be from 1s to 1d', { value: '3d' });
 * // the CLI: --access-token-ttl must be from 1s to 1d
 */
export function invalidField(
  field: string,
  problem: string,
  subject: Pick<ErrorSubject, 'index' | 'value'> = {},
): never {
  throw new AuthServerError('invalid_input', problem, { field, ...subject, predicate: true });
}

/**
 * Runs a validator of one field (an item of a list with `index`), naming that field in its
 * refusal when the validator, shared by several fields, does not: the admin API points at it,
 * so a form shows the message next to its input. The message stays as it is.
 *
 * @example
 * aboutField('redirectUris', 1, () => validateRedirectUri(uri));
 */
export function aboutField<T>(field: string, index: number | undefined, check: () => T): T {
  try {
    return check();
  } catch (error) {
    const refusal = error as Partial<AuthServerError>;
    if (refusal.code !== 'invalid_input' || refusal.field !== undefined) throw error;
    throw new AuthServerError('invalid_input', (error as Error).message, {
      field,
      ...(index !== undefined ? { index } : {}),
    });
  }
}

/** A display name: trimmed, 1–100 characters, no control characters. */
export function validateName(value: string, what: string): string {
  const name = value.trim();
  if (name.length === 0 || name.length > 100) invalidInput(`${what} must be 1 to 100 characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(name))
    invalidInput(`${what} must not contain control characters`);
  return name;
}

/**
 * A redirect URI per RFC 9700 §2.1 / RFC 8252: absolute; https, or http on a loopback host, or a
 * private-use scheme in reverse-domain form for native apps; no fragment, no credentials, never
 * `javascript:`, `data:` or other script-capable schemes.
 */
export function validateRedirectUri(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return invalidInput(`redirect URI "${value}" is not an absolute URI`);
  }
  if (value.includes('#')) invalidInput(`redirect URI "${value}" must not contain a fragment`);
  if (url.username || url.password)
    invalidInput(`redirect URI "${value}" must not contain credentials`);
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (scheme === 'https') return value;
  if (scheme === 'http') {
    if (LOOPBACK_HOSTS.has(url.hostname)) return value;
    return invalidInput(`redirect URI "${value}" must use https (plain http only on loopback)`);
  }
  if (['javascript', 'data', 'vbscript', 'file', 'blob', 'about'].includes(scheme)) {
    return invalidInput(`redirect URI "${value}" uses the forbidden scheme ${scheme}:`);
  }
  if (!scheme.includes('.')) {
    return invalidInput(
      `redirect URI "${value}": a custom scheme must be in reverse-domain form (like com.example.app:/callback)`,
    );
  }
  return value;
}

/** A resource indicator per RFC 8707: an absolute http(s) URI without a fragment, or urn:portcullis:admin. */
export function validateResourceIdentifier(value: string): string {
  // The admin API's own resource, the one identifier that is not a URL (domain/admin-api.ts).
  if (value === ADMIN_RESOURCE) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return invalidInput(`resource "${value}" is not an absolute URI`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    invalidInput(`resource "${value}" must be an http or https URI`);
  }
  if (value.includes('#')) invalidInput(`resource "${value}" must not contain a fragment`);
  if (url.username || url.password)
    invalidInput(`resource "${value}" must not contain credentials`);
  return value;
}

/** A single scope name per RFC 6749 §3.3, at most 100 characters. */
export function validateScopeName(value: string): string {
  if (!SCOPE_TOKEN.test(value) || value.length > 100) {
    invalidInput(
      `"${value}" is not a valid scope name (printable characters, no spaces or quotes)`,
    );
  }
  return value;
}

/** Splits space-separated scope lists (each value may hold several) and drops duplicates. */
export function splitScopes(values: readonly string[]): string[] {
  return [...new Set(values.flatMap((v) => v.split(/\s+/)).filter(Boolean))];
}

/** A web page or image address shown to users: https, or http on loopback; no credentials. */
export function validateWebUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return invalidInput(`${what} "${value}" is not an absolute URL`);
  }
  if (url.username || url.password) invalidInput(`${what} "${value}" must not contain credentials`);
  if (url.protocol === 'https:') return value;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return value;
  return invalidInput(`${what} "${value}" must use https (plain http only on loopback)`);
}

/**
 * An OIDC Back-Channel Logout URI (§2.2): an absolute https URL (http only on loopback), no
 * fragment, no credentials. The server POSTs logout tokens to it from its own network.
 */
export function validateBackchannelLogoutUri(value: string): string {
  const what = 'back-channel logout URI';
  if (value.includes('#')) invalidInput(`${what} "${value}" must not contain a fragment`);
  return validateWebUrl(value, what);
}

/**
 * A web origin for CORS: `scheme://host[:port]` and nothing else (no path, query, fragment or
 * credentials), https, or http on loopback. Returned as the browser sends it in `Origin`
 * (lowercase host, default port left out), so comparison is exact.
 *
 * @example
 * validateWebOrigin('https://App.example.com:443'); // 'https://app.example.com'
 */
export function validateWebOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return invalidInput(`web origin "${value}" is not an origin (like https://app.example.com)`);
  }
  // Anything beyond the origin (a path, query, fragment or user) shows in the full URL.
  if (url.origin === 'null' || `${url.origin}/` !== url.href) {
    invalidInput(
      `web origin "${value}" must be scheme://host[:port] only (no path, query, fragment or credentials)`,
    );
  }
  if (url.protocol === 'https:') return url.origin;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return url.origin;
  return invalidInput(`web origin "${value}" must use https (plain http only on loopback)`);
}
