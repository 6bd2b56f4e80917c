import type { Database } from './database.ts';

/**
 * Takes the PostgreSQL advisory lock named `name` for the rest of the transaction `trx`: another
 * transaction asking for the same name waits until this one commits or rolls back, so work done
 * under one name runs one at a time across every process on the database.
 *
 * @example
 * await db.transaction(async (trx) => {
 *   await lockTransaction(trx, 'portcullis.apply');
 *   // plan and write: no other apply runs meanwhile
 * });
 */
export async function lockTransaction(trx: Database, name: string): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [name]);
}
