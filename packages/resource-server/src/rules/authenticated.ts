import type { Rule } from './rule.ts';
import { allowed, unauthenticated } from './verdicts.ts';

const allow = allowed();

/**
 * Any valid token (DRF's `IsAuthenticated`). Only useful after `authenticate({ optional: true })`
 * or inside `or()`: plain `authenticate()` already refuses requests without a token.
 *
 * @example
 * router.get('/feed', rs.authenticate({ optional: true }), permit(or(authenticated(), publicFeed)), feed);
 */
export function authenticated(): Rule {
  return { evaluate: (_request, auth) => (auth === undefined ? unauthenticated : allow) };
}
