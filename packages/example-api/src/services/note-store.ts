import { randomUUID } from 'node:crypto';

/** A note as stored and as returned by the API. */
export interface Note {
  readonly id: string;
  readonly text: string;
  /** The `sub` of the token that created it. */
  readonly owner: string;
  /** ISO 8601 creation time. */
  readonly created_at: string;
}

/** In-memory notes of one app instance (this is an example, not a database). */
export interface NoteStore {
  list(): Note[];
  get(id: string): Note | undefined;
  create(text: string, owner: string): Note;
  delete(id: string): void;
}

/**
 * Creates an empty note store, kept in memory for the life of one app.
 *
 * @example
 * const store = createNoteStore();
 * const note = store.create('buy milk', 'user-1');
 */
export function createNoteStore(now: () => Date = () => new Date()): NoteStore {
  const notes = new Map<string, Note>();
  return {
    list: () => [...notes.values()],
    get: (id) => notes.get(id),
    create(text, owner) {
      const note = Object.freeze({
        id: randomUUID(),
        text,
        owner,
        created_at: now().toISOString(),
      });
      notes.set(note.id, note);
      return note;
    },
    delete(id) {
      notes.delete(id);
    },
  };
}
