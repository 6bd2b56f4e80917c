import type { RouterMiddleware } from '@koa/router';
import type { AuthenticatedState } from '@portcullis/resource-server';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import type { NoteStore } from '../services/note-store.ts';

/**
 * `DELETE /notes/:id` (`notes:write`): only the note's owner (the `sub` that created it) may
 * delete it: 204, or 403 `forbidden` for anyone else, 404 for an unknown id.
 */
export function deleteNote(store: NoteStore): RouterMiddleware<AuthenticatedState> {
  return (ctx) => {
    const note = store.get(ctx.params.id ?? '');
    if (note === undefined) throw new NotFoundError('no note has this id');
    if (note.owner !== ctx.state.auth.subject) {
      throw new ForbiddenError('only the owner of a note may delete it');
    }
    store.delete(note.id);
    ctx.status = 204;
  };
}
