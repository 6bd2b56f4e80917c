import { checkRules } from './check-rules.ts';
import type { Rule, Verdict } from './rule.ts';

const rank = { unauthenticated: 0, insufficient_scope: 1, forbidden: 2 } as const;

/**
 * At least one rule must allow (DRF's `|`). Rules run in order and the first that allows wins.
 * When all refuse, the answer is the most helpful refusal: 401 if a token is missing, else the
 * first `insufficient_scope` (its scopes would get the client in), else the first `forbidden`.
 *
 * @example
 * // the note's owner, or a moderator
 * permit(or(owner(noteOwner), allOf('notes:moderate')));
 */
export function or(...rules: Rule[]): Rule {
  const alternatives = checkRules('or', rules);
  return {
    async evaluate(request, auth): Promise<Verdict> {
      let best: Verdict | undefined;
      for (const rule of alternatives) {
        const verdict = await rule.evaluate(request, auth);
        if (verdict.allowed) return verdict;
        if (best === undefined || (!best.allowed && rank[verdict.refusal] < rank[best.refusal])) {
          best = verdict;
        }
      }
      return best!;
    },
  };
}
