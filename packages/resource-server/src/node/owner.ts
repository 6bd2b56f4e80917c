import { owner as anyOwner } from '../rules/owner.ts';
import type { Rule as GenericRule } from '../rules/rule.ts';
import type { NodeRequest } from './create-resource-server.ts';

/** A rule evaluated against the Node.js request. */
export type Rule = GenericRule<NodeRequest>;

/**
 * Object-level permission on the Node.js request: `getOwnerId(req)` looks up the owner of the
 * resource, and the token's `sub` must equal it; 403 `forbidden` otherwise.
 *
 * @example
 * const noteOwner = owner(async (req) => (await notes.get(idFrom(req.url)))?.owner);
 */
export function owner(
  getOwnerId: (req: NodeRequest) => string | null | undefined | Promise<string | null | undefined>,
): Rule {
  return anyOwner(getOwnerId);
}
