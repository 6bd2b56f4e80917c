import { type Database, rateLimiterStore } from '@portcullis/storage';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { LimitRule } from './limit-rule.ts';

// Keys this process knows to be over their limit, at most this many (oldest dropped first).
const MAX_REMEMBERED = 10_000;

/** What counting one failure found. */
export interface Verdict {
  /** The key is over its limit: refuse until `retryAfterSeconds` have passed. */
  over: boolean;
  /** Whole seconds until the lockout ends (0 when not over). */
  retryAfterSeconds: number;
  /** This very failure passed the limit and started the lockout (exactly one per lockout). */
  crossed: boolean;
}

/** Failures per key in one window, shared by every replica through PostgreSQL. */
export interface FailureCounter {
  readonly rule: LimitRule;
  /** Counts one failure for `key`. Rejects when PostgreSQL cannot be reached. */
  count(key: string): Promise<Verdict>;
  /** Takes back one failure counted by {@link count} (the attempt turned out not to fail). */
  refund(key: string): Promise<void>;
  /** Clears the key's failures (a success resets them). */
  reset(key: string): Promise<void>;
}

/**
 * A counter of failures per key (`<name>:<key>` in the `rate_limits` table) on
 * rate-limiter-flexible's RateLimiterPostgres: one atomic upsert per failure, so every replica
 * counts into the same row. Past `rule.failures` failures the key is locked for a whole window
 * from that moment. With `remember`, keys found locked are remembered in this process until their
 * lockout ends, so further failures on a locked key cost no database write (but deleting its row
 * lifts the lockout only once that time has passed). `sweep` on one counter deletes the table's
 * long-expired rows every five minutes (the table is shared by all counters).
 *
 * @example
 * const perClient = createFailureCounter({ db, name: 'client', rule: { failures: 10, windowSeconds: 60 } });
 * const verdict = await perClient.count(clientId);
 * if (verdict.over) ctx.set('Retry-After', String(verdict.retryAfterSeconds));
 */
export function createFailureCounter(options: {
  db: Database;
  name: string;
  rule: LimitRule;
  remember?: boolean;
  sweep?: boolean;
}): FailureCounter {
  const { rule } = options;
  const limiter = new RateLimiterPostgres({
    // The table migration 0008 creates; rate-limiter-flexible never creates it.
    ...rateLimiterStore(options.db),
    clearExpiredByTimeout: options.sweep ?? false,
    keyPrefix: options.name,
    points: rule.failures,
    duration: rule.windowSeconds,
    blockDuration: rule.windowSeconds,
  });
  const lockedUntil = new Map<string, number>();

  const remember = (key: string, until: number) => {
    lockedUntil.delete(key);
    if (lockedUntil.size >= MAX_REMEMBERED) {
      const now = Date.now();
      for (const [k, end] of lockedUntil) if (end <= now) lockedUntil.delete(k);
      if (lockedUntil.size >= MAX_REMEMBERED) {
        lockedUntil.delete(lockedUntil.keys().next().value as string);
      }
    }
    lockedUntil.set(key, until);
  };

  return {
    rule,
    async count(key) {
      const until = lockedUntil.get(key) ?? 0;
      const now = Date.now();
      if (until > now)
        return { over: true, retryAfterSeconds: seconds(until - now), crossed: false };
      lockedUntil.delete(key);
      try {
        await limiter.consume(key);
        return { over: false, retryAfterSeconds: 0, crossed: false };
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        if (options.remember) remember(key, Date.now() + rejection.msBeforeNext);
        return {
          over: true,
          retryAfterSeconds: seconds(rejection.msBeforeNext),
          crossed: rejection.consumedPoints === rule.failures + 1,
        };
      }
    },
    async refund(key) {
      await limiter.reward(key);
    },
    async reset(key) {
      lockedUntil.delete(key);
      await limiter.delete(key);
    },
  };
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
