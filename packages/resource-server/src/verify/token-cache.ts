import { hash } from 'node:crypto';
import type { AuthContext } from '../types.ts';

interface Entry {
  auth: AuthContext;
  /** Milliseconds since the epoch after which the entry must not be used (the token's `exp`). */
  expiresAt: number;
}

/** A bounded cache of verified tokens; see {@link createTokenCache}. */
export interface TokenCache {
  get(token: string, now: number): AuthContext | undefined;
  /** Remembers `auth` until the token's `exp`, or until `notAfter` (ms) when that is earlier. */
  set(token: string, auth: AuthContext, now: number, notAfter?: number): void;
}

/**
 * Remembers verified tokens so a token presented again skips signature and claim checks. Keys
 * are SHA-256 digests (the cache never holds a usable token); an entry is never served at or past
 * the token's `exp` (the verifier's leeway is not extended by the cache); the oldest entry is
 * evicted when full. Failures are not cached: a bad token is refused by full verification.
 *
 * @example
 * const cache = createTokenCache(10_000);
 * cache.set(token, auth, Date.now());
 * cache.get(token, Date.now()); // auth, until its exp
 */
export function createTokenCache(maxEntries: number): TokenCache {
  const entries = new Map<string, Entry>();
  const keyOf = (token: string) => hash('sha256', token, 'base64url');
  return {
    get(token, now) {
      const key = keyOf(token);
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (now >= entry.expiresAt) {
        entries.delete(key);
        return undefined;
      }
      return entry.auth;
    },
    set(token, auth, now, notAfter) {
      const exp = auth.claims.exp;
      if (typeof exp !== 'number') return;
      const expiresAt = notAfter === undefined ? exp * 1000 : Math.min(exp * 1000, notAfter);
      if (expiresAt <= now) return;
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(keyOf(token), { auth, expiresAt });
    },
  };
}
