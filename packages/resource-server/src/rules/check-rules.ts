import { ResourceServerConfigError } from '../errors.ts';
import type { Rule } from './rule.ts';

/** Validates the rules given to a combinator, at start-up. */
export function checkRules(key: string, rules: readonly unknown[], least = 1): Rule[] {
  if (rules.length < least) {
    throw new ResourceServerConfigError(key, `give at least ${least} rule${least > 1 ? 's' : ''}`);
  }
  for (const rule of rules) {
    if (typeof (rule as Rule | null)?.evaluate !== 'function') {
      throw new ResourceServerConfigError(
        key,
        'each rule must be an object with an evaluate function',
      );
    }
  }
  return [...(rules as Rule[])];
}
