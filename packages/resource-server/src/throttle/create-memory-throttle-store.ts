import type { ThrottleStore } from './throttle-store.ts';

/** Options of {@link createMemoryThrottleStore}. */
export interface MemoryThrottleStoreOptions {
  /** Most counters kept [100000]; when full, expired ones go first, then the oldest. */
  maxEntries?: number;
  /** Clock in milliseconds [`Date.now`]; for tests. */
  now?: () => number;
}

/**
 * Creates the in-process throttle store: bounded, so a flood of distinct keys (many addresses)
 * costs a fixed amount of memory; the price is that under such a flood the oldest counters are
 * forgotten early, which errs towards letting requests through. One process only.
 *
 * @example
 * app.use(throttle({ rate: '100/min', by: 'client', store: createMemoryThrottleStore() }));
 */
export function createMemoryThrottleStore(options: MemoryThrottleStoreOptions = {}): ThrottleStore {
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError('createMemoryThrottleStore: maxEntries must be a positive integer');
  }
  const now = options.now ?? Date.now;
  const counters = new Map<string, { count: number; expiresAt: number }>();

  function live(key: string, at: number) {
    const counter = counters.get(key);
    if (counter !== undefined && at >= counter.expiresAt) {
      counters.delete(key);
      return undefined;
    }
    return counter;
  }

  return {
    increment(key, ttlMs) {
      const at = now();
      const counter = live(key, at);
      if (counter !== undefined) {
        counter.count += 1;
        return counter.count;
      }
      for (const [oldest, entry] of counters) {
        if (counters.size < maxEntries && at < entry.expiresAt) break;
        counters.delete(oldest);
      }
      counters.set(key, { count: 1, expiresAt: at + ttlMs });
      return 1;
    },
    get(key) {
      return live(key, now())?.count ?? 0;
    },
  };
}
