import type { Context } from 'koa';
import { owner as anyOwner } from '../rules/owner.ts';
import type { Rule as GenericRule } from '../rules/rule.ts';

/**
 * A rule evaluated against the Koa context, which custom rules may read in full
 * (`ctx.params`, `ctx.state`, ...). The built-in rules are rules of any request and fit here.
 */
export type Rule = GenericRule<Context>;

/**
 * Object-level permission (DRF's `has_object_permission`) on the Koa context: `getOwnerId(ctx)`
 * looks up the owner of the resource the request is about, and the token's `sub` must equal it;
 * 403 `forbidden` otherwise. See the framework-free `owner` for the details.
 *
 * @example
 * const noteOwner = owner(async (ctx) => (await notes.get(ctx.params.id))?.owner);
 * router.delete('/notes/:id', rs.authenticate(), permit(and(allOf('notes:write'), noteOwner)), deleteNote);
 */
export function owner(
  getOwnerId: (ctx: Context) => string | null | undefined | Promise<string | null | undefined>,
): Rule {
  return anyOwner(getOwnerId);
}
