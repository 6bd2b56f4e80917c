import { CredentialsRequiredError, InsufficientScopeError } from '../errors.ts';
import {
  type Challenge,
  type ErrorResponse,
  errorResponse,
  forbiddenResponse,
} from '../http/error-response.ts';
import type { Verdict } from '../rules/rule.ts';
import { isScopeToken } from '../rules/scope-list.ts';
import type { AuthContext } from '../types.ts';

/**
 * The answer to a request whose token lacks one of `required` (compared exactly), or undefined
 * when it grants them all: 401 when optional authentication found no token, else 403
 * `insufficient_scope` naming every required scope.
 *
 * @example
 * const refusal = scopeRefusal(['notes:read'], auth, challenge);
 */
export function scopeRefusal(
  required: readonly string[],
  auth: AuthContext | undefined,
  challenge: Challenge,
): ErrorResponse | undefined {
  if (auth === undefined) return errorResponse(new CredentialsRequiredError(), challenge);
  if (required.every((scope) => auth.scopes.has(scope))) return undefined;
  return errorResponse(new InsufficientScopeError(required), challenge);
}

/**
 * The answer to a rule's verdict, or undefined when it allows the request. DRF's rule: a request
 * without a token that a rule refuses is asked for a token first (401), whatever the refusal, so
 * anonymous callers learn nothing about the route's rules. Anything but a verdict throws a
 * `TypeError` (a 500): a broken rule never lets a request through.
 *
 * @example
 * const refusal = verdictRefusal(await rule.evaluate(request, auth), auth, challenge);
 */
export function verdictRefusal(
  verdict: Verdict,
  auth: AuthContext | undefined,
  challenge: Challenge,
): ErrorResponse | undefined {
  if (typeof verdict !== 'object' || verdict === null) {
    throw new TypeError('a rule returned something that is not a verdict');
  }
  if (verdict.allowed === true) return undefined;
  if (auth === undefined || verdict.refusal === 'unauthenticated') {
    return errorResponse(new CredentialsRequiredError(), challenge);
  }
  if (verdict.refusal === 'insufficient_scope') {
    const { scopes } = verdict;
    // Custom rules may return anything: only scope-tokens can go into the challenge verbatim.
    if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every(isScopeToken)) {
      throw new TypeError('a rule refused with insufficient_scope but no valid scopes');
    }
    return errorResponse(new InsufficientScopeError(scopes), challenge);
  }
  if (verdict.refusal === 'forbidden') return forbiddenResponse(verdict.description);
  throw new TypeError('a rule returned something that is not a verdict');
}
