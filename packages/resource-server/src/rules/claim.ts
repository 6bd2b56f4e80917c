import { ResourceServerConfigError } from '../errors.ts';
import type { AuthContext } from '../types.ts';
import type { Rule, Verdict } from './rule.ts';
import { allowed, forbidden, unauthenticated } from './verdicts.ts';

const allow = allowed();
const refused = forbidden('the access token does not carry the claims this request needs');

/**
 * The verified token's claim `name` must satisfy `predicate` (which gets the claim's value,
 * `undefined` when absent, and the whole auth context). Only `true` allows: a predicate that
 * returns anything else, a truthy string included, refuses (403 `forbidden`). A predicate that
 * throws fails the request (500) rather than letting it through.
 *
 * @example
 * const staff = claim('groups', (groups) => Array.isArray(groups) && groups.includes('staff'));
 * router.get('/admin/stats', rs.authenticate(), permit(staff), stats);
 */
export function claim(
  name: string,
  predicate: (value: unknown, auth: AuthContext) => boolean | Promise<boolean>,
): Rule {
  if (typeof name !== 'string' || name === '') {
    throw new ResourceServerConfigError('claim', 'the claim name must be a non-empty string');
  }
  if (typeof predicate !== 'function') {
    throw new ResourceServerConfigError('claim', 'the predicate must be a function');
  }
  return {
    async evaluate(_request, auth): Promise<Verdict> {
      if (auth === undefined) return unauthenticated;
      const value = Object.hasOwn(auth.claims, name) ? auth.claims[name] : undefined;
      return (await predicate(value, auth)) === true ? allow : refused;
    },
  };
}
