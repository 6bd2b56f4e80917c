import { ResourceServerConfigError } from '../errors.ts';
import { claim } from './claim.ts';
import type { Rule } from './rule.ts';

/**
 * The token's `roles` claim (a list of names, as Portcullis issues it for a resource registered
 * with `resources update --roles-claim`) must contain `name`, compared exactly. A token without
 * the claim, or with anything but a list there, is refused (403 `forbidden`) like any other
 * failed {@link claim}: no other token would carry the role, so there is no scope to ask for.
 * DRF's `IsAdminUser` is `role('admin')`.
 *
 * @example
 * router.delete('/notes/:id', rs.authenticate(), permit(or(owner(noteOwner), role('notes-admin'))), remove);
 */
export function role(name: string): Rule {
  if (typeof name !== 'string' || name === '') {
    throw new ResourceServerConfigError('role', 'the role name must be a non-empty string');
  }
  return claim('roles', (roles) => Array.isArray(roles) && roles.includes(name));
}
