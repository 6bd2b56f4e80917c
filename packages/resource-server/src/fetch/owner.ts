import { owner as anyOwner } from '../rules/owner.ts';
import type { Rule as GenericRule } from '../rules/rule.ts';

/** A rule evaluated against the fetch `Request`. */
export type Rule = GenericRule<Request>;

/**
 * Object-level permission on the fetch `Request`: `getOwnerId(request)` looks up the owner of the
 * resource, and the token's `sub` must equal it; 403 `forbidden` otherwise.
 *
 * @example
 * const noteOwner = owner(async (request) => (await notes.get(new URL(request.url).searchParams.get('id')))?.owner);
 */
export function owner(
  getOwnerId: (request: Request) => string | null | undefined | Promise<string | null | undefined>,
): Rule {
  return anyOwner(getOwnerId);
}
