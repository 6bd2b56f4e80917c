import type { FailureCounter, Verdict } from './failure-counter.ts';
import type { LimitHit } from './limit-hit.ts';
import type { LimitKeys } from './limit-keys.ts';

/** One user code entered on the device page, counted as wrong until it {@link found} one. */
export interface UserCodeAttempt {
  /** Seconds until the lockout ends when a counter is over its limit: refuse, look nothing up. */
  retryAfterSeconds: number | undefined;
  /** The code named a device authorization: takes the attempt back from both counters. */
  found(): Promise<void>;
}

/** Wrong device-flow user codes per address and on the whole server (RFC 8628 §5.1). */
export interface DeviceCodeLimits {
  /**
   * Counts the attempt before the code is looked up, so a burst of parallel guesses cannot slip
   * past the limit. Rejects when PostgreSQL cannot be reached (the page answers 503).
   */
  begin(attempt: { address: string }): Promise<UserCodeAttempt>;
}

// The one key of the server-wide counter.
const EVERY_ADDRESS = 'all';

/**
 * User-code limits over two counters (either may be off). A wrong user code names no device
 * authorization (it matches none), so it cannot be counted against one: each wrong code is a guess
 * at every pending device authorization at once. The address counter stops one guesser; the
 * server-wide one bounds the guesses any device authorization can face during its life, however
 * many addresses they come from. An attempt is counted first and taken back when its code is
 * found, so what stays counted are wrong codes. While either counter is over its limit every
 * code is refused unread, the right one included, so a guesser learns nothing from a lockout.
 *
 * @example
 * const attempt = await deviceCodes.begin({ address: ctx.ip });
 * if (attempt.retryAfterSeconds !== undefined) return refuse(attempt.retryAfterSeconds);
 * if (await lookUp(code)) await attempt.found();
 */
export function createDeviceCodeLimits(deps: {
  perAddress: FailureCounter | null;
  perServer: FailureCounter | null;
  keys: LimitKeys;
  /** Called once when a key passes its limit (the lockout starts). */
  hit(hit: LimitHit): Promise<void>;
  /** Called for every attempt refused, with the limit's fixed name (`device_code_address`). */
  refused(limit: string): void;
  /** A found code whose attempt could not be taken back: the flow itself goes on. */
  onError(error: unknown): void;
}): DeviceCodeLimits {
  const { perAddress, perServer, keys } = deps;
  const none: Verdict = { over: false, retryAfterSeconds: 0, crossed: false };
  return {
    async begin(attempt) {
      const address = keys.address(attempt.address);
      const [byAddress, byServer] = await Promise.all([
        perAddress ? perAddress.count(address) : none,
        perServer ? perServer.count(EVERY_ADDRESS) : none,
      ]);
      const report = async (
        verdict: Verdict,
        counter: FailureCounter | null,
        key: 'address' | 'server',
      ) => {
        if (verdict.over) deps.refused(`device_code_${key}`);
        if (!verdict.crossed || !counter) return;
        await deps.hit({
          limit: 'device_code',
          key,
          rule: counter.rule,
          retryAfterSeconds: verdict.retryAfterSeconds,
          address: attempt.address,
        });
      };
      await Promise.all([
        report(byAddress, perAddress, 'address'),
        report(byServer, perServer, 'server'),
      ]);
      const over = [byAddress, byServer].filter((v) => v.over).map((v) => v.retryAfterSeconds);
      return {
        retryAfterSeconds: over.length > 0 ? Math.max(...over) : undefined,
        async found() {
          await Promise.all([perAddress?.refund(address), perServer?.refund(EVERY_ADDRESS)]).catch(
            deps.onError,
          );
        },
      };
    },
  };
}
