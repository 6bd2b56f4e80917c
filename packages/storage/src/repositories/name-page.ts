import type { Knex } from 'knex';

/** A page of a list ordered by name: the sort key of the last row shown, and how many to show. */
export interface NamePageQuery {
  /** The name (lowercased) and id of the last row of the previous page; none for the first. */
  after?: readonly [string, string];
  /** The most rows to return. */
  limit: number;
}

/**
 * Orders `query` by its `name` column lowercased, then its `id` column (unique, so the order is
 * total and stable), in byte order ("C" collation, the same on every server), keeps the rows
 * after `page.after` and at most `page.limit` of them: keyset paging, done by PostgreSQL, that
 * neither skips nor repeats a row when rows are added or removed between pages.
 *
 * @example
 * const rows = await byNamePage(db('clients'), 'name', 'id', { after: ['billing', 'c1'], limit: 51 });
 */
export function byNamePage<T extends Knex.QueryBuilder>(
  query: T,
  name: string,
  id: string,
  page: NamePageQuery,
): T {
  const key = `lower(??) collate "C", ?? collate "C"`;
  if (page.after) query.whereRaw(`(${key}) > (?, ?)`, [name, id, ...page.after]);
  return query.orderByRaw(key, [name, id]).limit(page.limit) as T;
}
