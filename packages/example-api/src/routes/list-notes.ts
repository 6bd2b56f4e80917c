import type { AuthenticatedState } from '@portcullis/resource-server';
import type { Middleware } from 'koa';
import type { NoteStore } from '../services/note-store.ts';

/** `GET /notes` (`notes:read`): every note of this app instance, oldest first, as a JSON array. */
export function listNotes(store: NoteStore): Middleware<AuthenticatedState> {
  return (ctx) => {
    ctx.body = store.list();
  };
}
