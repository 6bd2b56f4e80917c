import type { AuthenticatedState } from '@portcullis/resource-server';
import type { Middleware } from 'koa';
import { NotFoundError } from '../errors.ts';
import type { RouteParams } from '../routing/route-table.ts';
import type { NoteStore } from '../services/note-store.ts';

/**
 * `DELETE /notes/:id`: deletes the note and answers 204, or 404 for an unknown id. Mount it
 * behind the route's rule, which checks `notes:write` and that the token's `sub` owns the note
 * (403 `forbidden` for anyone else).
 */
export function deleteNote(store: NoteStore): Middleware<AuthenticatedState, RouteParams> {
  return (ctx) => {
    const note = store.get(ctx.params.id ?? '');
    // The rule found it; it may have been deleted since by a concurrent request.
    if (note === undefined) throw new NotFoundError('no note has this id');
    store.delete(note.id);
    ctx.status = 204;
  };
}
