import type { AuthenticatedState } from '@portcullis/resource-server';
import type { Middleware } from 'koa';
import { InvalidRequestError } from '../errors.ts';
import { readJsonBody } from '../middleware/read-json-body.ts';
import type { NoteStore } from '../services/note-store.ts';

const maxBodyBytes = 64 * 1024;
const maxTextLength = 10_000;

function readText(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('the request body must be a JSON object');
  }
  const { text } = body as Record<string, unknown>;
  if (typeof text !== 'string') throw new InvalidRequestError('"text" must be a string');
  if (text.trim() === '') throw new InvalidRequestError('"text" must not be empty');
  // Count characters (code points), not UTF-16 units, so emoji count once.
  if ([...text].length > maxTextLength) {
    throw new InvalidRequestError(`"text" must be at most ${maxTextLength} characters`);
  }
  return text;
}

/**
 * `POST /notes` (`notes:write`) with JSON `{"text": "..."}`: stores a note owned by the token's
 * `sub` and answers 201 with it and a `Location` header.
 */
export function createNote(store: NoteStore): Middleware<AuthenticatedState> {
  return async (ctx) => {
    const text = readText(await readJsonBody(ctx, maxBodyBytes));
    const note = store.create(text, ctx.state.auth.subject);
    ctx.status = 201;
    ctx.set('Location', `/notes/${encodeURIComponent(note.id)}`);
    ctx.body = note;
  };
}
