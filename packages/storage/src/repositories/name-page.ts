import type { Knex } from 'knex';

/** A page of a list ordered by name: the sort key of the last row shown, and how many to show. */
export interface NamePageQuery {
  /** The name (lowercased) and id of the last row of the previous page; none for the first. */
  after?: readonly [string, string];
  /** The most rows to return. */
  limit: number;
  /** Only rows with this text in one of the searched columns, in any case (a substring). */
  contains?: string;
}

/**
 * A LIKE pattern matching `text` anywhere: its own `%`, `_` and `\` escaped (with `\`, the
 * ESCAPE character the queries name), so they match themselves and not any text.
 *
 * @example
 * containsPattern('50%_off'); // '%50\%\_off%'
 */
const containsPattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Keeps the rows of `query` where one of `expressions` holds `text` in any case: `lower(expr)
 * LIKE lower(pattern)`, the pattern escaped by {@link containsPattern}. The expressions are SQL
 * written in code (columns, `payload->>'clientId'`), never input. Nothing when `text` is
 * undefined or empty.
 *
 * @example
 * whereContains(db('users'), ['"username"', '"email"'], 'ali');
 */
export function whereContains<T extends Knex.QueryBuilder>(
  query: T,
  expressions: readonly string[],
  text: string | undefined,
): T {
  if (!text) return query;
  const pattern = containsPattern(text);
  const match = expressions.map((sql) => `lower(${sql}) like lower(?) escape '\\'`).join(' or ');
  return query.whereRaw(
    `(${match})`,
    expressions.map(() => pattern),
  ) as T;
}

/**
 * Orders `query` by its `name` column lowercased, then its `id` column (unique, so the order is
 * total and stable), in byte order ("C" collation, the same on every server), keeps the rows
 * after `page.after` and at most `page.limit` of them: keyset paging, done by PostgreSQL, that
 * neither skips nor repeats a row when rows are added or removed between pages. With
 * `page.contains`, only rows with that text in one of `searched` (any case), the same order
 * and cursor. Migration 0025's indexes on the same expressions serve the order.
 *
 * @example
 * const rows = await byNamePage(db('clients'), 'name', 'id', { after: ['billing', 'c1'], limit: 51 });
 */
export function byNamePage<T extends Knex.QueryBuilder>(
  query: T,
  name: string,
  id: string,
  page: NamePageQuery,
  searched: readonly string[] = [name, id],
): T {
  const key = `lower(??) collate "C", ?? collate "C"`;
  whereContains(
    query,
    searched.map((column) => `"${column}"`),
    page.contains,
  );
  if (page.after) query.whereRaw(`(${key}) > (?, ?)`, [name, id, ...page.after]);
  return query.orderByRaw(key, [name, id]).limit(page.limit) as T;
}
