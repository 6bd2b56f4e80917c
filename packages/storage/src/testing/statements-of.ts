import type { Database } from '../database.ts';

/**
 * The SQL of every statement `db` sends while `work` runs, in order: for tests that count what
 * a piece of work costs (a count, not a time: the same on any machine).
 *
 * @example
 * const sql = await statementsOf(database.db, () => repository.find('Session', id));
 * t.is(sql.length, 1);
 */
export async function statementsOf(db: Database, work: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const onQuery = (query: { sql: string }) => seen.push(query.sql);
  db.on('query', onQuery);
  try {
    await work();
  } finally {
    db.off('query', onQuery);
  }
  return seen;
}
