import { TemporarilyUnavailableError } from '../errors.ts';

/** Remembers the last failed fetch to the issuer and refuses new fetches for a cooldown. */
export interface FailureGate {
  /** Throws `TemporarilyUnavailableError` (without a cause) while cooling down. */
  assertOpen(): void;
  /** Records a failure now and returns the error to answer with, wrapping `cause`. */
  recordFailure(cause: unknown): TemporarilyUnavailableError;
}

/**
 * Creates a gate so that while the issuer is down, every request does not become one more
 * outbound request (each waiting up to the timeout): after a failure, requests fail fast with
 * 503 until `cooldownMs` has passed, then one request tries again.
 */
export function createFailureGate(cooldownMs: number, now: () => number): FailureGate {
  let failedAt: number | undefined;

  return {
    assertOpen() {
      if (failedAt === undefined) return;
      const remainingMs = failedAt + cooldownMs - now();
      if (remainingMs <= 0) return;
      throw new TemporarilyUnavailableError(Math.max(1, Math.ceil(remainingMs / 1000)));
    },
    recordFailure(cause) {
      failedAt = now();
      return new TemporarilyUnavailableError(Math.max(1, Math.ceil(cooldownMs / 1000)), { cause });
    },
  };
}
