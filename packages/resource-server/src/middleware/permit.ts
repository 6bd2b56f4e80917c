import type { Context, Middleware } from 'koa';
import {
  CredentialsRequiredError,
  InsufficientScopeError,
  ResourceServerConfigError,
} from '../errors.ts';
import { sendError } from '../http/send-error.ts';
import type { Rule, Verdict } from '../rules/rule.ts';
import { isScopeToken } from '../rules/scope-list.ts';
import type { OptionalAuthState } from '../types.ts';
import { getRealm } from './realm-state.ts';

// RFC 6750 has no code for "valid token, right scopes, still not allowed" (not the owner, a claim
// that does not match): answer a plain 403 without a Bearer challenge, because a challenge tells
// clients to get another token, and no token would help.
function sendForbidden(ctx: Context, description: string): void {
  ctx.status = 403;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { error: 'forbidden', error_description: description };
}

function refuse(ctx: Context, verdict: Verdict, realm: string): void {
  if (typeof verdict !== 'object' || verdict === null) {
    throw new TypeError('a rule returned something that is not a verdict');
  }
  // DRF's rule: a request without a token that a rule refuses is asked for a token first (401),
  // whatever the refusal, so anonymous callers learn nothing about the route's rules.
  if (ctx.state.auth === undefined || (!verdict.allowed && verdict.refusal === 'unauthenticated')) {
    sendError(ctx, new CredentialsRequiredError(), realm);
  } else if (!verdict.allowed && verdict.refusal === 'insufficient_scope') {
    const { scopes } = verdict;
    // Custom rules may return anything: only scope-tokens can go into the challenge verbatim.
    if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every(isScopeToken)) {
      throw new TypeError('a rule refused with insufficient_scope but no valid scopes');
    }
    sendError(ctx, new InsufficientScopeError(scopes), realm);
  } else if (!verdict.allowed && verdict.refusal === 'forbidden') {
    sendForbidden(ctx, verdict.description);
  } else {
    throw new TypeError('a rule returned something that is not a verdict');
  }
}

/**
 * Turns a {@link Rule} into Koa middleware: the request goes on when the rule allows it;
 * otherwise the answer is RFC 6750's, exactly as `requireScopes` gives it: 401 with a bare
 * `Bearer realm="..."` challenge when no token was presented, 403 `insufficient_scope` with
 * `scope="<the first scopes that would satisfy the rule>"`, or 403 `forbidden` (JSON body, no
 * challenge) when no scope would help. Anything but a verdict with `allowed: true` refuses.
 * Mount it after `rs.authenticate()`: without it, it throws (a 500) so a route never becomes
 * public by mistake.
 *
 * @example
 * router.get('/notes', rs.authenticate(), permit(resourceScope('notes')), listNotes);
 */
export function permit(rule: Rule): Middleware<OptionalAuthState> {
  if (typeof (rule as Rule | null)?.evaluate !== 'function') {
    throw new ResourceServerConfigError(
      'permit',
      'give a rule (an object with an evaluate function)',
    );
  }
  return async function permitMiddleware(ctx, next) {
    const realm = getRealm(ctx.state);
    if (realm === undefined) {
      throw new Error('permit() needs rs.authenticate() earlier in the middleware chain');
    }
    const verdict = await rule.evaluate(ctx, ctx.state.auth);
    if (verdict?.allowed !== true) return refuse(ctx, verdict, realm);
    await next();
  };
}
