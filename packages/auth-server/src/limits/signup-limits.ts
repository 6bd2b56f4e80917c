import type { FailureCounter, Verdict } from './failure-counter.ts';
import type { LimitHit } from './limit-hit.ts';
import type { LimitKeys } from './limit-keys.ts';

/** Open sign-up requests per e-mail address typed and per browser address. */
export interface SignupLimits {
  /**
   * Counts one request (every request counts: each may send a mail). The seconds until the
   * lockout ends when a counter is over its limit (refuse, send nothing); undefined otherwise.
   * Rejects when PostgreSQL cannot be reached (the page answers 503).
   */
  count(request: { email: string; address: string }): Promise<number | undefined>;
}

/**
 * Sign-up limits over two counters (either may be off). Unlike the failure limits, nothing is
 * taken back: a request that mails a link is the thing limited, so one address cannot be flooded
 * with mail, and one browser cannot fill the table or the audit trail. The address typed is
 * counted under a keyed hash, the same whether or not it is an account's, so a refusal says
 * nothing about which addresses are registered.
 *
 * @example
 * const retryAfter = await signups.count({ email, address: ctx.ip });
 * if (retryAfter !== undefined) return tooMany(retryAfter);
 */
export function createSignupLimits(deps: {
  perEmail: FailureCounter | null;
  perAddress: FailureCounter | null;
  keys: LimitKeys;
  /** Called once when a key passes its limit (the lockout starts). */
  hit(hit: LimitHit): Promise<void>;
  /** Called for every request refused, with the limit's fixed name (`signup_email`). */
  refused(limit: string): void;
}): SignupLimits {
  const { perEmail, perAddress, keys } = deps;
  const none: Verdict = { over: false, retryAfterSeconds: 0, crossed: false };
  return {
    async count(request) {
      const [byEmail, byAddress] = await Promise.all([
        perEmail ? perEmail.count(keys.account(`email:${request.email}`)) : none,
        perAddress ? perAddress.count(keys.address(request.address)) : none,
      ]);
      const report = async (
        verdict: Verdict,
        counter: FailureCounter | null,
        key: 'account' | 'address',
      ) => {
        if (verdict.over) deps.refused(key === 'account' ? 'signup_email' : 'signup_address');
        if (!verdict.crossed || !counter) return;
        await deps.hit({
          limit: 'signup',
          key,
          rule: counter.rule,
          retryAfterSeconds: verdict.retryAfterSeconds,
          address: request.address,
        });
      };
      await Promise.all([
        report(byEmail, perEmail, 'account'),
        report(byAddress, perAddress, 'address'),
      ]);
      const over = [byEmail, byAddress].filter((v) => v.over).map((v) => v.retryAfterSeconds);
      return over.length > 0 ? Math.max(...over) : undefined;
    },
  };
}
