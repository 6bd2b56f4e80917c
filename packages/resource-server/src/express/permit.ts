import type { Request } from 'express';
import { verdictRefusal } from '../core/refusal.ts';
import { ResourceServerConfigError } from '../errors.ts';
import { stateChallenge } from '../http/realm-state.ts';
import { writeNodeResponse } from '../http/write-node-response.ts';
import { owner as anyOwner } from '../rules/owner.ts';
import type { Rule as GenericRule } from '../rules/rule.ts';
import type { ExpressMiddleware } from './types.ts';

/** A rule evaluated against the Express request (`req.params`, `req.query`, ...). */
export type Rule = GenericRule<Request>;

/**
 * Turns a rule into Express middleware, with the answers of the Koa `permit`: 401 without a
 * token, 403 `insufficient_scope` naming the scopes that would satisfy the rule, or 403
 * `forbidden` when no scope would help. Mount it after `rs.authenticate()`.
 *
 * @example
 * app.get('/notes', rs.authenticate(), permit(resourceScope('notes')), listNotes);
 */
export function permit(rule: Rule): ExpressMiddleware {
  if (typeof (rule as Rule | null)?.evaluate !== 'function') {
    throw new ResourceServerConfigError(
      'permit',
      'give a rule (an object with an evaluate function)',
    );
  }
  return function permitMiddleware(req, res, next) {
    const challenge = stateChallenge(res.locals);
    if (challenge === undefined) {
      next(new Error('permit() needs rs.authenticate() earlier in the middleware chain'));
      return;
    }
    const { auth } = res.locals;
    Promise.resolve(rule.evaluate(req, auth))
      .then((verdict) => {
        const refusal = verdictRefusal(verdict, auth, challenge);
        if (refusal === undefined) return true;
        writeNodeResponse(res, refusal);
        return false;
      })
      .then((allowed) => allowed && next(), next);
  };
}

/**
 * Object-level permission on the Express request: `getOwnerId(req)` looks up the owner of the
 * resource, and the token's `sub` must equal it; 403 `forbidden` otherwise.
 *
 * @example
 * const noteOwner = owner(async (req) => (await notes.get(req.params.id))?.owner);
 */
export function owner(
  getOwnerId: (req: Request) => string | null | undefined | Promise<string | null | undefined>,
): Rule {
  return anyOwner(getOwnerId);
}
