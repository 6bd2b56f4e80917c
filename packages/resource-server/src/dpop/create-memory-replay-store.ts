import { TemporarilyUnavailableError } from '../errors.ts';
import type { DpopReplayStore } from '../types.ts';

/**
 * Creates the in-process DPoP replay store: at most `maxEntries` proof keys, each kept until its
 * `expiresAt` (after which the proof is too old to be accepted anyway). When full of proofs still
 * inside their window it refuses new ones with 503 rather than forget one early, which would let
 * that proof be replayed. One process only: replicas need a shared `DpopReplayStore`.
 *
 * @example
 * const store = createMemoryReplayStore(100_000, Date.now);
 * store.markUsed(key, Date.now() + 60_000); // true, then false for the same key
 */
export function createMemoryReplayStore(maxEntries: number, now: () => number): DpopReplayStore {
  // Insertion order roughly follows expiry (every expiry is `iat` plus one window).
  const entries = new Map<string, number>();
  // Log (through the error's cause) once per episode of a full cache, not once per request.
  let reportedFull = false;

  function sweep(at: number): number | undefined {
    let soonest: number | undefined;
    for (const [key, expiresAt] of entries) {
      if (expiresAt < at) entries.delete(key);
      else soonest = Math.min(soonest ?? expiresAt, expiresAt);
    }
    return soonest;
  }

  return {
    markUsed(key, expiresAt) {
      const at = now();
      for (const [oldest, oldestExpiry] of entries) {
        if (oldestExpiry >= at) break;
        entries.delete(oldest);
      }
      const seen = entries.get(key);
      if (seen !== undefined && seen >= at) return false;
      if (entries.size >= maxEntries) {
        const soonest = sweep(at);
        if (entries.size >= maxEntries) {
          const retryAfter = Math.max(1, Math.ceil(((soonest ?? at) - at) / 1000));
          const cause = reportedFull
            ? undefined
            : new Error('the DPoP replay cache is full (raise dpop.replayCacheSize)');
          reportedFull = true;
          throw new TemporarilyUnavailableError(retryAfter, cause && { cause });
        }
      }
      reportedFull = false;
      entries.delete(key);
      entries.set(key, expiresAt);
      return true;
    },
  };
}
