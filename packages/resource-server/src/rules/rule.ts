import type { AuthContext } from '../types.ts';

/**
 * What a {@link Rule} decides about one request.
 *
 * - `allowed: true`: the request may go on. `scopes` are the scopes the rule relied on (empty for
 *   rules that are not about scopes), so that `and()` can name the whole requirement when a later
 *   rule refuses.
 * - `unauthenticated`: the rule needs a token and none was presented (401).
 * - `insufficient_scope`: the token lacks scopes; `scopes` is the first set of scopes that would
 *   satisfy the rule (403 `insufficient_scope`, sent as the challenge's `scope`).
 * - `forbidden`: no scope would help (not the owner, a claim does not match, a method the rule
 *   does not list); `description` is a fixed sentence for the response body, never request data.
 *
 * @example
 * const verdict: Verdict = { allowed: false, refusal: 'insufficient_scope', scopes: ['notes:read'] };
 */
export type Verdict =
  | { readonly allowed: true; readonly scopes?: readonly string[] }
  | { readonly allowed: false; readonly refusal: 'unauthenticated' }
  | {
      readonly allowed: false;
      readonly refusal: 'insufficient_scope';
      readonly scopes: readonly string[];
    }
  | { readonly allowed: false; readonly refusal: 'forbidden'; readonly description: string };

/** What every rule may read of a request, whatever the framework: its method. */
export interface RuleRequest {
  readonly method: string;
}

/**
 * An access rule: a value, evaluated against the request (`R`: Koa's `ctx`, Express's `req`,
 * Fastify's `request`, a fetch `Request`; the built-in rules read only its method) and the
 * verified token (`undefined` after `authenticate({ optional: true })` without a token). Rules
 * compose with `and`, `or` and `not`, and become middleware with each adapter's `permit(rule)`.
 * Write your own by returning a {@link Verdict}.
 *
 * @example
 * const weekdaysOnly: Rule = {
 *   evaluate: () =>
 *     [0, 6].includes(new Date().getUTCDay())
 *       ? { allowed: false, refusal: 'forbidden', description: 'closed at weekends' }
 *       : { allowed: true },
 * };
 * router.get('/reports', rs.authenticate(), permit(and(allOf('reports:read'), weekdaysOnly)), list);
 */
export interface Rule<R extends RuleRequest = RuleRequest> {
  // A method, not a property: a rule written for a richer request (a Koa context) still composes
  // with the built-in rules, which need only the method.
  evaluate(request: R, auth: AuthContext | undefined): Verdict | Promise<Verdict>;
}
