interface Entry<V> {
  value: V;
  /** Milliseconds since the epoch from which the entry must not be used. */
  expiresAt: number;
}

/** A bounded map whose entries stop being served at their own expiry time. */
export interface ExpiringCache<V> {
  get(key: string, now: number): V | undefined;
  set(key: string, value: V, expiresAt: number, now: number): void;
}

/**
 * Creates a map of at most `maxEntries` entries, each served only before its `expiresAt`. When
 * full, expired entries at the head go first, then the oldest entry.
 *
 * @example
 * const cache = createExpiringCache<string>(1000);
 * cache.set('k', 'v', Date.now() + 5000, Date.now());
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
