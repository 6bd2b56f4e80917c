import { hash } from 'node:crypto';

interface Entry<V> {
  value: V;
  /** Milliseconds since the epoch from which the entry must not be used. */
  expiresAt: number;
}

/** A bounded map whose entries stop being served at their own expiry time. */
export interface ExpiringCache<V> {
  /** The value stored under `key`, unless it is absent or expired at `now` (ms). */
  get(key: string, now: number): V | undefined;
  /** Stores `value` until `expiresAt` (ms); a value already expired at `now` is not stored. */
  set(key: string, value: V, expiresAt: number, now: number): void;
}

/**
 * Creates a map of at most `maxEntries` entries, each served only before its `expiresAt` (never
 * at or after it; an expired entry found by `get` is dropped). Setting a key again replaces its
 * entry and makes it the newest. Room is made by dropping expired entries at the head (the
 * oldest), then the oldest entry when still full. A lookup allocates nothing: the verified-token
 * and introspection caches sit on every request's path.
 *
 * @example
 * const cache = createExpiringCache<string>(1000);
 * cache.set('k', 'v', Date.now() + 5000, Date.now());
 * cache.get('k', Date.now()); // 'v', for 5 s
 */
export function createExpiringCache<V>(maxEntries: number): ExpiringCache<V> {
  const entries = new Map<string, Entry<V>>();
  return {
    get(key, now) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (now >= entry.expiresAt) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, value, expiresAt, now) {
      if (expiresAt <= now) return;
      entries.delete(key);
      for (const [oldest, entry] of entries) {
        if (entries.size < maxEntries && now < entry.expiresAt) break;
        entries.delete(oldest);
      }
      entries.set(key, { value, expiresAt });
    },
  };
}

/**
 * The cache key of a token: its SHA-256 digest (base64url), so a cache never holds a usable
 * token. Only the exact same string maps to the same key.
 *
 * @example
 * cache.get(tokenCacheKey(token), Date.now());
 */
export function tokenCacheKey(token: string): string {
  return hash('sha256', token, 'base64url');
}
