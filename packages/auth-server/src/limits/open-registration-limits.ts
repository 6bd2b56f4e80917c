import type { FailureCounter } from './failure-counter.ts';
import type { LimitHit } from './limit-hit.ts';
import type { LimitKeys } from './limit-keys.ts';

/** Open dynamic registrations (no initial access token) per address. */
export interface OpenRegistrationLimits {
  /**
   * Counts one registration attempt without an initial access token (every attempt counts: each
   * may write a client). The seconds until the lockout ends when the address is over its limit
   * (refuse, register nothing); undefined otherwise. Rejects when PostgreSQL cannot be reached.
   */
  count(address: string): Promise<number | undefined>;
}

/**
 * The open-registration limit over one counter (null: off). Like the sign-up limits nothing is
 * taken back: what is limited is the registration itself, so one address cannot fill the clients
 * table or the audit trail.
 *
 * @example
 * const retryAfter = await limits.openRegistration.count(ctx.ip);
 */
export function createOpenRegistrationLimits(deps: {
  perAddress: FailureCounter | null;
  keys: LimitKeys;
  hit(hit: LimitHit): Promise<void>;
  refused(limit: string): void;
}): OpenRegistrationLimits {
  const { perAddress, keys } = deps;
  return {
    async count(address) {
      if (!perAddress) return undefined;
      const verdict = await perAddress.count(keys.address(address));
      if (verdict.over) deps.refused('registration_address');
      if (verdict.crossed) {
        await deps.hit({
          limit: 'registration',
          key: 'address',
          rule: perAddress.rule,
          retryAfterSeconds: verdict.retryAfterSeconds,
          address,
        });
      }
      return verdict.over ? verdict.retryAfterSeconds : undefined;
    },
  };
}
