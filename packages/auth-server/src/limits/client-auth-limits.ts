import type { FailureCounter, Verdict } from './failure-counter.ts';
import type { LimitHit } from './limit-hit.ts';
import type { LimitKeys } from './limit-keys.ts';

/** Failed client authentication per client id and per address. */
export interface ClientAuthLimits {
  /**
   * Counts one failed client authentication. Resolves to the seconds to send in `Retry-After`
   * when the client or the address is over its limit, else `undefined`. Never rejects: when
   * PostgreSQL cannot be reached the failure goes uncounted (fails open).
   */
  failed(attempt: {
    clientId?: string;
    address: string;
    endpoint: string;
  }): Promise<number | undefined>;
}

/**
 * Client-authentication limits over two counters (either may be off). Only failures are counted
 * and only failures are refused: a client presenting its right secret is never counted, never
 * slowed down and never refused, whoever else fails with its id or from its address.
 *
 * @example
 * const retryAfter = await limits.failed({ clientId, address: ctx.ip, endpoint: 'token' });
 * if (retryAfter !== undefined) ctx.status = 429;
 */
export function createClientAuthLimits(deps: {
  perClient: FailureCounter | null;
  perAddress: FailureCounter | null;
  keys: LimitKeys;
  /** Called once when a key passes its limit (the lockout starts). */
  hit(hit: LimitHit): Promise<void>;
  /** Called for every attempt refused, with the limit's fixed name (`client_auth_address`). */
  refused(limit: string): void;
  /** A failure that could not be counted (PostgreSQL unreachable). */
  onError(error: unknown): void;
}): ClientAuthLimits {
  const { perClient, perAddress } = deps;
  return {
    async failed(attempt) {
      const count = async (
        counter: FailureCounter | null,
        key: string | undefined,
        kind: LimitHit['key'],
      ): Promise<Verdict | undefined> => {
        if (!counter || key === undefined) return undefined;
        const verdict = await counter.count(key).catch((error: unknown) => {
          deps.onError(error);
          return undefined;
        });
        if (verdict?.crossed) {
          await deps.hit({
            limit: 'client_auth',
            key: kind,
            rule: counter.rule,
            retryAfterSeconds: verdict.retryAfterSeconds,
            address: attempt.address,
            clientId: attempt.clientId,
            endpoint: attempt.endpoint,
          });
        }
        if (verdict?.over) deps.refused(`client_auth_${kind}`);
        return verdict;
      };
      const verdicts = await Promise.all([
        count(
          perClient,
          attempt.clientId ? deps.keys.client(attempt.clientId) : undefined,
          'client',
        ),
        count(perAddress, deps.keys.address(attempt.address), 'address'),
      ]);
      const over = verdicts.filter((v) => v?.over).map((v) => v?.retryAfterSeconds ?? 0);
      return over.length > 0 ? Math.max(...over) : undefined;
    },
  };
}
