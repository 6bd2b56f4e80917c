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

const badCursor = () =>
  new AdminProblem('invalid-request', 'the cursor is not one this API gave', [
    { parameter: 'cursor', detail: 'cursor is not one this API gave' },
  ]);

// A cursor of two parts (a sort key and an id), the first matching `first` if given.
function decodePairCursor(cursor: string, first?: RegExp): readonly [string, string] {
  const [key, id, ...rest] = decodeCursor(cursor);
  if (key === undefined || id === undefined || rest.length > 0) throw badCursor();
  if (first && !first.test(key)) throw badCursor();
  return [key, id];
}

/** A list operation's paging and search query parameters, as the validator let them through. */
export interface PageParameters {
  limit?: number | string;
  cursor?: string;
  /** The search text (`q`): a substring of the searched names, in any case. */
  q?: string;
}

/**
 * What a database-paged list asks its repository for: the sort key (name lowercased, id) after
 * the cursor, one row more than the page, which tells whether another page follows, and the
 * text searched for (`q`; a cursor given with the same `q` continues that search).
 *
 * @example
 * const rows = await clients.listPage(namePageQuery({ limit: 50, cursor, q: 'bill' }));
 */
export function namePageQuery(options: PageParameters): {
  after?: readonly [string, string];
  limit: number;
  contains?: string;
} {
  const limit = options.limit === undefined ? DEFAULT_PAGE_SIZE : Number(options.limit);
  return {
    limit: limit + 1,
    ...(options.cursor === undefined ? {} : { after: decodePairCursor(options.cursor) }),
    ...(options.q ? { contains: options.q } : {}),
  };
}

/**
 * {@link namePageQuery} for grants, the newest first: the cursor holds a grant's iat (whole
 * seconds) and id, as {@link grantPage} made it.
 *
 * @example
 * const rows = await grants.listPage({ ...grantPageQuery({ limit: 50, cursor }), client: 'app' });
 */
export function grantPageQuery(options: PageParameters): {
  after?: readonly [string, string];
  limit: number;
  contains?: string;
} {
  const limit = options.limit === undefined ? DEFAULT_PAGE_SIZE : Number(options.limit);
  return {
    limit: limit + 1,
    ...(options.cursor === undefined
      ? {}
      : { after: decodePairCursor(options.cursor, /^[0-9]{1,15}$/) }),
    ...(options.q ? { contains: options.q } : {}),
  };
}

/**
 * The page of rows a repository returned for {@link namePageQuery} or {@link grantPageQuery}
 * (one more than `limit` when another page follows), with the cursor of the next page made of
 * the last row's sort key (`keyOf`: for names, lowercased here).
 *
 * @example
 * namePage(rows, 50, (c) => [c.name, c.id]);
 */
export function namePage<T>(
  rows: readonly T[],
  limit: number | string | undefined,
  keyOf: (row: T) => readonly [string, string],
  lowercase = true,
): Page<T> {
  const size = limit === undefined ? DEFAULT_PAGE_SIZE : Number(limit);
  const items = rows.slice(0, size);
  const last = items.at(-1);
  if (rows.length <= size || last === undefined) return { items, next_cursor: null };
  const [name, id] = keyOf(last);
  return { items, next_cursor: encodeCursor([lowercase ? name.toLowerCase() : name, id]) };
}
