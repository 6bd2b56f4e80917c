import type { Rule, Verdict } from './rule.ts';
import { toScopeList } from './scope-list.ts';
import { allowed, insufficientScope, unauthenticated } from './verdicts.ts';

/**
 * The token must grant at least one of `scopes`, compared exactly. A refusal names the first
 * (`scope="notes:read"` for `anyOf('notes:read', 'notes:admin')`): list the scope clients
 * should normally ask for first.
 *
 * @example
 * router.get('/notes', rs.authenticate(), permit(anyOf('notes:read', 'notes:admin')), listNotes);
 */
export function anyOf<S extends string>(...scopes: S[]): Rule {
  const alternatives = toScopeList('anyOf', scopes);
  const allows: ReadonlyMap<string, Verdict> = new Map(alternatives.map((s) => [s, allowed([s])]));
  const refuse = insufficientScope(alternatives.slice(0, 1));
  return {
    evaluate(_request, auth) {
      if (auth === undefined) return unauthenticated;
      for (const scope of alternatives) if (auth.scopes.has(scope)) return allows.get(scope)!;
      return refuse;
    },
  };
}
