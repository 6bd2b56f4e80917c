import { fail, optionalObject, rejectUnknownKeys } from '../config/option-checks.ts';
import type { CredentialRequest } from '../http/credential-request.ts';
import { type Challenge, type ErrorResponse, errorResponse } from '../http/error-response.ts';
import type { Rule, RuleRequest } from '../rules/rule.ts';
import { toScopeList } from '../rules/scope-list.ts';
import { createLimiter, type LimiterOptions } from '../throttle/create-limiter.ts';
import type { AuthContext } from '../types.ts';
import type { ResourceServerCore } from './create-core.ts';
import { scopeRefusal, verdictRefusal } from './refusal.ts';

/**
 * What a handler wrapped by the `node` or `fetch` adapter's `protect()` requires, checked in
 * DRF's order: authentication, then permissions (`scopes`, then `rule`), then the throttle.
 */
export interface GuardOptions<R extends RuleRequest> {
  /** Let requests without credentials through with `auth` undefined [false]. */
  optional?: boolean;
  /** Scopes the token must all grant (`requireScopes`). */
  scopes?: string[];
  /** A rule the request must pass (`permit`). */
  rule?: Rule<R>;
  /** A rate limit (`throttle`); without a token, requests are counted per client address. */
  throttle?: LimiterOptions<R>;
}

/** The decision about one request: the auth context, or the answer that refuses it. */
export type GuardOutcome =
  | { readonly ok: true; readonly auth: AuthContext | undefined }
  | { readonly ok: false; readonly response: ErrorResponse };

const optionKeys = new Set(['optional', 'scopes', 'rule', 'throttle']);

/**
 * Validates `options` at start-up and returns the check of one request: authenticate, scopes,
 * rule, throttle, stopping at the first refusal. Errors that are not refusals (a rule that
 * throws, a store answering nonsense) reject, for the adapter to turn into a 500; a throttle
 * store's outage is given to `report`, whether the request is let through or refused (503).
 *
 * @example
 * const guard = createGuard(core, { scopes: ['notes:read'] }, console.error);
 * const outcome = await guard(request, fromFetchRequest(request), () => address);
 */
export function createGuard<R extends RuleRequest>(
  core: ResourceServerCore,
  options: GuardOptions<R>,
  report: (error: Error) => void,
): (request: R, credentials: CredentialRequest, address: () => string) => Promise<GuardOutcome> {
  rejectUnknownKeys(optionalObject('protect', options), optionKeys, 'protect.');
  const { optional = false, rule } = options;
  if (typeof optional !== 'boolean') fail('protect.optional', 'must be a boolean');
  const scopes = options.scopes === undefined ? undefined : toScopeList('scopes', options.scopes);
  if (rule !== undefined && typeof (rule as Rule<R> | null)?.evaluate !== 'function') {
    fail('protect.rule', 'give a rule (an object with an evaluate function)');
  }
  const limiter = options.throttle === undefined ? undefined : createLimiter(options.throttle);
  const { authenticator, config } = core;

  return async (request, credentials, address) => {
    const outcome = await authenticator.authenticate(credentials, optional);
    const challenge: Challenge = {
      realm: config.realm,
      settings: authenticator.settings,
      dpopUsed: outcome.dpopUsed,
    };
    if (!outcome.ok) return { ok: false, response: errorResponse(outcome.error, challenge) };
    const { auth } = outcome;
    const refusal =
      (scopes && scopeRefusal(scopes, auth, challenge)) ??
      (rule && verdictRefusal(await rule.evaluate(request, auth), auth, challenge));
    if (refusal !== undefined) return { ok: false, response: refusal };
    if (limiter !== undefined) {
      const id = limiter.identify(request, { authenticated: true, auth, address });
      const limited = id === undefined ? undefined : await limiter.hit(id, report);
      if (limited !== undefined) {
        if (limited.cause !== undefined) report(limited);
        return { ok: false, response: errorResponse(limited, challenge) };
      }
    }
    return { ok: true, auth };
  };
}
