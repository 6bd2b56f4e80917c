import { ResourceServerConfigError } from '../errors.ts';

// RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. Scopes are written into
// the `WWW-Authenticate` challenge verbatim, so this is also what keeps the header well-formed.
const scopeTokenPattern = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Whether `value` is an RFC 6749 scope-token. */
export function isScopeToken(value: unknown): value is string {
  return typeof value === 'string' && scopeTokenPattern.test(value);
}

/**
 * Validates the scopes given to a rule builder, at start-up, and returns them deduplicated and
 * frozen. `key` names the builder in the error (`allOf`, `readWrite.read`, ...).
 */
export function toScopeList(key: string, scopes: unknown, { allowEmpty = false } = {}): string[] {
  if (!Array.isArray(scopes)) throw new ResourceServerConfigError(key, 'must be a list of scopes');
  if (scopes.length === 0 && !allowEmpty) {
    throw new ResourceServerConfigError(key, 'name at least one scope');
  }
  for (const scope of scopes) {
    if (!isScopeToken(scope)) {
      throw new ResourceServerConfigError(
        key,
        'each scope must be a non-empty string of printable ASCII without spaces, " or \\',
      );
    }
  }
  return Object.freeze([...new Set(scopes as string[])]) as string[];
}

/** `scope` or `[scope, ...]` as a validated list. */
export function toScopeListFrom(key: string, value: unknown): string[] {
  return toScopeList(key, typeof value === 'string' ? [value] : value);
}
