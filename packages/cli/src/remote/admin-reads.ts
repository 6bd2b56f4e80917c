import type { AdminHttp } from './admin-http.ts';

/**
 * Every item of a paged list of the admin API (`items`, `next_cursor`), page after page.
 *
 * @example
 * const users = await allPages<UserJson>(http, '/users');
 */
export async function allPages<T>(http: AdminHttp, path: string): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const { body } = await http.call<{ items: T[]; next_cursor: string | null }>(
      'GET',
      `${path}${path.includes('?') ? '&' : '?'}limit=200${query}`,
    );
    all.push(...body.items);
    cursor = body.next_cursor;
  } while (cursor);
  return all;
}

/** What a change is conditional on: the thing as last read, its id and its ETag. */
export interface Version<T> {
  id: string;
  body: T;
  etag: string | undefined;
}

/**
 * Reads of one kind of thing (a client, a resource, a user) that remember each one's ETag by its
 * id, so that a change sends `If-Match` for the version the operator last saw: the one shown
 * (and asked about) if it was read by id before, else a fresh read.
 *
 * @example
 * const users = versionedReads<UserJson>(http, (u) => `/users/${encodeURIComponent(u)}`, (u) => u.id);
 * const { id, etag } = await users.version('alice');
 */
export function versionedReads<T>(
  http: AdminHttp,
  pathOf: (key: string) => string,
  idOf: (body: T) => string,
) {
  const versions = new Map<string, Version<T>>();
  const read = async (key: string): Promise<T> => {
    const { body, etag } = await http.call<T>('GET', pathOf(key));
    versions.set(idOf(body), { id: idOf(body), body, etag });
    return body;
  };
  return {
    read,
    async version(key: string): Promise<Version<T>> {
      const known = versions.get(key);
      if (known) return known;
      const body = await read(key);
      return versions.get(idOf(body)) as Version<T>;
    },
  };
}
