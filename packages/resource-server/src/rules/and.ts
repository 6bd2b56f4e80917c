import { checkRules } from './check-rules.ts';
import type { Rule, Verdict } from './rule.ts';
import { allowed, insufficientScope } from './verdicts.ts';

/**
 * Every rule must allow (DRF's `&`). Rules run in order and the first refusal stops the rest, so
 * put cheap scope rules before lookups such as `owner()`: a token without the scope never
 * reaches your database. An `insufficient_scope` refusal names the scopes earlier rules relied on
 * too, so a client that asks for what the challenge names keeps what it already needed.
 *
 * @example
 * router.delete('/notes/:id', rs.authenticate(), permit(and(allOf('notes:write'), owner(noteOwner))), deleteNote);
 */
export function and(...rules: Rule[]): Rule {
  const all = checkRules('and', rules);
  return {
    async evaluate(request, auth): Promise<Verdict> {
      const relied: string[] = [];
      for (const rule of all) {
        const verdict = await rule.evaluate(request, auth);
        if (verdict.allowed) relied.push(...(verdict.scopes ?? []));
        else if (verdict.refusal === 'insufficient_scope') {
          return insufficientScope([...new Set([...relied, ...verdict.scopes])]);
        } else return verdict;
      }
      return allowed([...new Set(relied)]);
    },
  };
}
