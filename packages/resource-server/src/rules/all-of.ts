import type { Rule } from './rule.ts';
import { toScopeList } from './scope-list.ts';
import { allowed, insufficientScope, unauthenticated } from './verdicts.ts';

/**
 * The token must grant every one of `scopes` (DOT's `TokenHasScope`), each compared exactly:
 * `notes:readx` does not satisfy `notes:read`. A refusal names all of them. Scope names are
 * validated here, at start-up.
 *
 * @example
 * router.get('/notes', rs.authenticate(), permit(allOf('notes:read')), listNotes);
 */
export function allOf<S extends string>(...scopes: S[]): Rule {
  const required = toScopeList('allOf', scopes);
  const allow = allowed(required);
  const refuse = insufficientScope(required);
  return {
    evaluate(_request, auth) {
      if (auth === undefined) return unauthenticated;
      for (const scope of required) if (!auth.scopes.has(scope)) return refuse;
      return allow;
    },
  };
}
