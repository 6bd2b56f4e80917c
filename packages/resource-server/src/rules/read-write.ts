import { ResourceServerConfigError } from '../errors.ts';
import { allOf } from './all-of.ts';
import type { Rule } from './rule.ts';
import { isSafeMethod } from './safe-methods.ts';
import { toScopeListFrom } from './scope-list.ts';

/** The scopes of {@link readWrite}: one scope or a list (all of them) per kind of request. */
export interface ReadWriteScopes<S extends string = string> {
  /** Needed by safe methods: GET, HEAD, OPTIONS. */
  readonly read: S | readonly S[];
  /** Needed by every other method: POST, PUT, PATCH, DELETE, ... */
  readonly write: S | readonly S[];
}

/**
 * Safe methods (GET, HEAD, OPTIONS) need `read`, every other method needs `write` (DOT's
 * `TokenHasReadWriteScope`, with its `READ_SCOPE` and `WRITE_SCOPE` given per route). Write does
 * not imply read: give a writer both scopes if it should read too.
 *
 * @example
 * const notesRule = readWrite({ read: 'notes:read', write: 'notes:write' });
 * router.get('/notes', rs.authenticate(), permit(notesRule), listNotes);
 * router.post('/notes', rs.authenticate(), permit(notesRule), createNote);
 */
export function readWrite<S extends string>(scopes: ReadWriteScopes<S>): Rule {
  if (typeof scopes !== 'object' || scopes === null) {
    throw new ResourceServerConfigError('readWrite', 'give { read, write }');
  }
  for (const key of Object.keys(scopes)) {
    if (key !== 'read' && key !== 'write') {
      throw new ResourceServerConfigError(`readWrite.${key}`, 'unknown key');
    }
  }
  const read = allOf(...toScopeListFrom('readWrite.read', scopes.read));
  const write = allOf(...toScopeListFrom('readWrite.write', scopes.write));
  return {
    evaluate: (request, auth) =>
      (isSafeMethod(request.method) ? read : write).evaluate(request, auth),
  };
}
