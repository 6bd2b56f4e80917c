import { checkRules } from './check-rules.ts';
import type { Rule, Verdict } from './rule.ts';
import { allowed, forbidden, unauthenticated } from './verdicts.ts';

const refused = forbidden('the access token may not make this request');
const allow = allowed();

/**
 * Inverts a rule (DRF's `~`): allows what `rule` refuses, refuses (403 `forbidden`) what it
 * allows. One deliberate difference from DRF: when `rule` refused because no token was
 * presented, `not` refuses too (401), so a missing token never opens a route.
 *
 * @example
 * // writers, but not tokens that also carry the read-only marker scope
 * permit(and(allOf('notes:write'), not(allOf('notes:read-only'))));
 */
export function not(rule: Rule): Rule {
  const [inner] = checkRules('not', [rule]) as [Rule];
  return {
    async evaluate(request, auth): Promise<Verdict> {
      const verdict = await inner.evaluate(request, auth);
      if (verdict.allowed) return refused;
      return verdict.refusal === 'unauthenticated' ? unauthenticated : allow;
    },
  };
}
