import type { Middleware } from 'koa';
import { verdictRefusal } from '../core/refusal.ts';
import { ResourceServerConfigError } from '../errors.ts';
import { stateChallenge } from '../http/realm-state.ts';
import { sendResponse } from '../http/send-error.ts';
import type { OptionalAuthState } from '../types.ts';
import type { Rule } from './koa-rules.ts';

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
    const challenge = stateChallenge(ctx.state);
    if (challenge === undefined) {
      throw new Error('permit() needs rs.authenticate() earlier in the middleware chain');
    }
    const { auth } = ctx.state;
    const refusal = verdictRefusal(await rule.evaluate(ctx, auth), auth, challenge);
    if (refusal !== undefined) return sendResponse(ctx, refusal);
    await next();
  };
}
