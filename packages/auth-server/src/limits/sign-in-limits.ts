import type { FailureCounter, Verdict } from './failure-counter.ts';
import type { LimitHit } from './limit-hit.ts';
import type { LimitKeys } from './limit-keys.ts';

/** One sign-in attempt, counted as a failure until it {@link SignInAttempt.succeeded}. */
export interface SignInAttempt {
  /** The account or the address is locked: do not check the password, answer as for a wrong one. */
  locked: boolean;
  /** The password was right: clears the account's failures and takes back the address's one. */
  succeeded(): Promise<void>;
  /**
   * The password was right but a second factor is still to come: takes back this attempt only,
   * so failures counted before (wrong codes among them) keep counting until the sign-in is done.
   */
  passed(): Promise<void>;
}

/** Failed sign-ins per account and per address, with temporary lockout. */
export interface SignInLimits {
  /**
   * Counts the attempt before the password is checked, so concurrent guesses cannot slip past
   * the limit. Rejects when PostgreSQL cannot be reached (the login page answers 503).
   */
  begin(attempt: {
    username: string;
    address: string;
    /** `password-reset`: a reset request, counted under the address typed as the username. */
    via: 'authorization' | 'account' | 'password-reset';
    clientId?: string;
  }): Promise<SignInAttempt>;
}

/**
 * Sign-in limits over two counters (either may be off). An attempt is counted first and taken
 * back when the password turns out right, so what stays counted are failures, and a burst of
 * parallel guesses is counted as it arrives. While either counter is over its limit the attempt
 * is locked: the caller answers exactly as for a wrong password, without checking it.
 *
 * @example
 * const attempt = await signIns.begin({ username, address: ctx.ip, via: 'account' });
 * const user = attempt.locked ? undefined : await users.authenticate(username, password);
 * if (user) await attempt.succeeded();
 */
export function createSignInLimits(deps: {
  perAccount: FailureCounter | null;
  perAddress: FailureCounter | null;
  keys: LimitKeys;
  /** Called once when a key passes its limit (the lockout starts). */
  hit(hit: LimitHit): Promise<void>;
  /** Called for every attempt refused, with the limit's fixed name (`signin_account`). */
  refused(limit: string): void;
  /** A success whose counters could not be cleared: the sign-in itself goes on. */
  onError(error: unknown): void;
}): SignInLimits {
  const { perAccount, perAddress, keys } = deps;
  return {
    async begin(attempt) {
      const account = keys.account(attempt.username);
      const address = keys.address(attempt.address);
      const none: Verdict = { over: false, retryAfterSeconds: 0, crossed: false };
      const [byAccount, byAddress] = await Promise.all([
        perAccount ? perAccount.count(account) : none,
        perAddress ? perAddress.count(address) : none,
      ]);
      const report = (verdict: Verdict, counter: FailureCounter | null, key: LimitHit['key']) =>
        verdict.crossed && counter
          ? deps.hit({
              limit: 'signin',
              key,
              rule: counter.rule,
              retryAfterSeconds: verdict.retryAfterSeconds,
              address: attempt.address,
              clientId: attempt.clientId,
              username: key === 'account' ? attempt.username : undefined,
              via: attempt.via,
            })
          : undefined;
      if (byAccount.over) deps.refused('signin_account');
      if (byAddress.over) deps.refused('signin_address');
      await Promise.all([
        report(byAccount, perAccount, 'account'),
        report(byAddress, perAddress, 'address'),
      ]);
      return {
        locked: byAccount.over || byAddress.over,
        async succeeded() {
          await Promise.all([perAccount?.reset(account), perAddress?.refund(address)]).catch(
            deps.onError,
          );
        },
        async passed() {
          await Promise.all([perAccount?.refund(account), perAddress?.refund(address)]).catch(
            deps.onError,
          );
        },
      };
    },
  };
}
