import { ResourceServerConfigError } from '../errors.ts';
import type { Rule, RuleRequest, Verdict } from './rule.ts';
import { allowed, forbidden, unauthenticated } from './verdicts.ts';

const allow = allowed();
const refused = forbidden('only the owner of this resource may do this');

/**
 * Object-level permission (DRF's `has_object_permission`): `getOwnerId(request)` (the adapter's request:
 * Koa's `ctx`, Express's `req`, ...) looks up the owner of
 * the resource the request is about, and the token's `sub` must equal it. Anyone else gets 403
 * `forbidden` (not `insufficient_scope`: no scope would help). An owner that is not a string
 * (`undefined`, `null`) refuses too; to answer 404 for a missing resource, throw your not-found
 * error from the getter. Put scope rules before it with `and()`, so the lookup only runs for
 * tokens that may act at all.
 *
 * @example
 * const noteOwner = owner(async (ctx) => (await notes.get(ctx.params.id))?.owner);
 * router.delete('/notes/:id', rs.authenticate(), permit(and(allOf('notes:write'), noteOwner)), deleteNote);
 */
export function owner<R extends RuleRequest>(
  getOwnerId: (request: R) => string | null | undefined | Promise<string | null | undefined>,
): Rule<R> {
  if (typeof getOwnerId !== 'function') {
    throw new ResourceServerConfigError('owner', 'give a function that returns the owner id');
  }
  return {
    async evaluate(request, auth): Promise<Verdict> {
      if (auth === undefined) return unauthenticated;
      const ownerId = await getOwnerId(request);
      return typeof ownerId === 'string' && ownerId === auth.subject ? allow : refused;
    },
  };
}
