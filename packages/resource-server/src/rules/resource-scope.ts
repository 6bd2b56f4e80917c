import { ResourceServerConfigError } from '../errors.ts';
import { readWrite } from './read-write.ts';
import type { Rule } from './rule.ts';
import { isScopeToken } from './scope-list.ts';

/**
 * `resource:action` scopes derived from a resource name by method (DOT's
 * `TokenHasResourceScope`): safe methods (GET, HEAD, OPTIONS) need `<name>:read`, every other
 * method `<name>:write`.
 *
 * @example
 * // GET /notes needs notes:read; POST /notes and DELETE /notes/:id need notes:write
 * router.get('/notes', rs.authenticate(), permit(resourceScope('notes')), listNotes);
 * router.post('/notes', rs.authenticate(), permit(resourceScope('notes')), createNote);
 */
export function resourceScope<R extends string>(name: R): Rule {
  if (!isScopeToken(name)) {
    throw new ResourceServerConfigError(
      'resourceScope',
      'the resource name must be a non-empty string of printable ASCII without spaces, " or \\',
    );
  }
  return readWrite({ read: `${name}:read`, write: `${name}:write` });
}
