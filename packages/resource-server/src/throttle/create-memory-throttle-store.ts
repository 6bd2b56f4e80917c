import {
  fail,
  integerInRange,
  optionalObject,
  rejectUnknownKeys,
} from '../config/option-checks.ts';
import type { ThrottleStore } from './throttle-store.ts';

/** Options of {@link createMemoryThrottleStore}. */
export interface MemoryThrottleStoreOptions {
  /**
   * Most counters kept [100000], 1 to 10000000. Creating a counter first drops the expired ones
   * at the front of the store; when it is still full, the oldest counter goes.
   */
  maxEntries?: number;
  /** Clock in milliseconds [`Date.now`]; for tests. */
  now?: () => number;
}

const optionKeys = new Set(['maxEntries', 'now']);

/**
 * Creates the in-process throttle store: bounded, so a flood of distinct keys (many addresses)
 * costs a fixed amount of memory; the price is that under such a flood the oldest counters are
 * forgotten early, which errs towards letting requests through. One process only.
 *
 * @example
 * app.use(throttle({ rate: '100/min', by: 'client', store: createMemoryThrottleStore() }));
 */
export function createMemoryThrottleStore(options: MemoryThrottleStoreOptions = {}): ThrottleStore {
  // Validated like every other option of this package: a ResourceServerConfigError naming the key.
  const given = optionalObject('createMemoryThrottleStore', options);
  rejectUnknownKeys(given, optionKeys, 'createMemoryThrottleStore.');
  const maxEntries = integerInRange(
    'createMemoryThrottleStore.maxEntries',
    given.maxEntries,
    100_000,
    1,
    10_000_000,
  );
  if (given.now !== undefined && typeof given.now !== 'function') {
    fail('createMemoryThrottleStore.now', 'must be a function');
  }
  const now = (given.now as (() => number) | undefined) ?? Date.now;
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
