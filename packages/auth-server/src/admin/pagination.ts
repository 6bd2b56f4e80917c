import { AdminProblem } from './problem.ts';

/** The page size when `limit` is not given. */
const DEFAULT_PAGE_SIZE = 50;

/** One page of a list, and the cursor of the next (null on the last). */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/**
 * A cursor: the sort key of the last item shown, opaque to callers (base64url of JSON).
 *
 * @example
 * encodeCursor(['42']); // 'WyI0MiJd'
 */
export const encodeCursor = (key: readonly string[]): string =>
  Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

/**
 * The sort key a cursor of {@link encodeCursor} holds; a 400 problem for anything else.
 *
 * @example
 * decodeCursor('WyI0MiJd'); // ['42']
 */
export function decodeCursor(cursor: string): string[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.every((part) => typeof part === 'string')) return key;
  } catch {
    // Answered below.
  }
  throw new AdminProblem('invalid-request', 'the cursor is not one this API gave', [
    { parameter: 'cursor', detail: 'cursor is not one this API gave' },
  ]);
}

const compare = (a: readonly string[], b: readonly string[]) => {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};

/**
 * A page of `all`, ordered by `keyOf` (which must be unique: a name and an id), after the item
 * `cursor` names. A cursor stays valid when items are added or removed meanwhile: the next page
 * starts after its key, whether that item still exists or not.
 *
 * @example
 * paginate(clients, (c) => [c.name.toLowerCase(), c.id], { limit: 50 });
 */
export function paginate<T>(
  all: readonly T[],
  keyOf: (item: T) => string[],
  options: { limit?: number; cursor?: string },
): Page<T> {
  const limit = options.limit ?? DEFAULT_PAGE_SIZE;
  const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
  const sorted = all
    .map((item) => ({ item, key: keyOf(item) }))
    .sort((a, b) => compare(a.key, b.key))
    .filter(({ key }) => after === undefined || compare(key, after) > 0);
  const page = sorted.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(({ item }) => item),
    next_cursor: sorted.length > limit && last ? encodeCursor(last.key) : null,
  };
}

/**
 * What a database-paged list asks its repository for: the sort key (name lowercased, id) after
 * the cursor, and one row more than the page, which tells whether another page follows.
 *
 * @example
 * const rows = await clients.listPage(namePageQuery({ limit: 50, cursor }));
 */
export function namePageQuery(options: { limit?: number | string; cursor?: string }): {
  after?: readonly [string, string];
  limit: number;
} {
  const limit = options.limit === undefined ? DEFAULT_PAGE_SIZE : Number(options.limit);
  if (options.cursor === undefined) return { limit: limit + 1 };
  const [name, id, ...rest] = decodeCursor(options.cursor);
  if (name === undefined || id === undefined || rest.length > 0) {
    throw new AdminProblem('invalid-request', 'the cursor is not one this API gave', [
      { parameter: 'cursor', detail: 'cursor is not one this API gave' },
    ]);
  }
  return { after: [name, id], limit: limit + 1 };
}

/**
 * The page of rows a repository returned for {@link namePageQuery} (one more than `limit` when
 * another page follows), with the cursor of the next page made of the last row's sort key.
 *
 * @example
 * namePage(rows, 50, (c) => [c.name, c.id]);
 */
export function namePage<T>(
  rows: readonly T[],
  limit: number | string | undefined,
  keyOf: (row: T) => readonly [string, string],
): Page<T> {
  const size = limit === undefined ? DEFAULT_PAGE_SIZE : Number(limit);
  const items = rows.slice(0, size);
  const last = items.at(-1);
  if (rows.length <= size || last === undefined) return { items, next_cursor: null };
  const [name, id] = keyOf(last);
  return { items, next_cursor: encodeCursor([name.toLowerCase(), id]) };
}
