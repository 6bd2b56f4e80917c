import { ResourceServerConfigError } from '../errors.ts';
import type { Rule, Verdict } from './rule.ts';
import { toScopeList } from './scope-list.ts';
import { allowed, forbidden, insufficientScope, unauthenticated } from './verdicts.ts';

/**
 * Per-method alternatives, in OpenAPI security-requirement style: for each method, a list of
 * alternatives, each a list of scopes that must all be granted. `[]` as an alternative accepts
 * any valid token.
 */
export type MethodRequirements<S extends string = string> = {
  readonly [method: string]: readonly (readonly S[])[];
};

// RFC 9110 §5.6.2 token: what an HTTP method name may be made of.
const methodPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const notListed = forbidden('this method is not allowed by the rules of this route');

function compile(requirements: unknown): Map<string, string[][]> {
  if (typeof requirements !== 'object' || requirements === null || Array.isArray(requirements)) {
    throw new ResourceServerConfigError('perMethod', 'give { METHOD: [[...scopes], ...] }');
  }
  const table = new Map<string, string[][]>();
  for (const [key, alternatives] of Object.entries(requirements)) {
    const method = key.toUpperCase();
    if (!methodPattern.test(key)) {
      throw new ResourceServerConfigError('perMethod', 'method names must be HTTP tokens');
    }
    if (table.has(method)) {
      throw new ResourceServerConfigError(`perMethod.${method}`, 'is given twice');
    }
    if (!Array.isArray(alternatives) || alternatives.length === 0) {
      throw new ResourceServerConfigError(
        `perMethod.${method}`,
        'must be a non-empty list of alternatives, each a list of scopes',
      );
    }
    table.set(
      method,
      alternatives.map((scopes) =>
        toScopeList(`perMethod.${method}`, scopes, { allowEmpty: true }),
      ),
    );
  }
  if (table.size === 0)
    throw new ResourceServerConfigError('perMethod', 'list at least one method');
  return table;
}

/**
 * Scopes per HTTP method with alternatives (DOT's `TokenMatchesOASRequirements`, OpenAPI's
 * `security` list): the request passes when the token grants every scope of at least one
 * alternative listed for its method. A refusal names the first alternative. A method that is not
 * listed is refused (403 `forbidden`), except HEAD, which follows GET when it is not listed itself
 * (a HEAD answer is a GET answer without the body). Method names are case-insensitive here.
 *
 * @example
 * const songs = perMethod({
 *   GET: [['songs:read']],
 *   POST: [['songs:create'], ['songs:write', 'songs:admin']],
 * });
 * router.post('/songs', rs.authenticate(), permit(songs), createSong);
 */
export function perMethod<S extends string>(requirements: MethodRequirements<S>): Rule {
  const table = compile(requirements);
  const verdicts = new Map<
    string,
    { allows: Verdict[]; alternatives: string[][]; refuse: Verdict }
  >(
    [...table].map(([method, alternatives]) => [
      method,
      {
        alternatives,
        allows: alternatives.map((scopes) => allowed(scopes)),
        refuse: insufficientScope(alternatives[0]!),
      },
    ]),
  );
  return {
    evaluate(request, auth) {
      if (auth === undefined) return unauthenticated;
      const entry =
        verdicts.get(request.method) ??
        (request.method === 'HEAD' ? verdicts.get('GET') : undefined);
      if (entry === undefined) return notListed;
      for (const [index, scopes] of entry.alternatives.entries()) {
        if (scopes.every((scope) => auth.scopes.has(scope))) return entry.allows[index]!;
      }
      return entry.refuse;
    },
  };
}
