import { createClientsRepository, type Database } from '@portcullis/storage';

/**
 * The ids of `ids` whose clients still exist, in order. Deleting a client leaves its id among a
 * resource's introspection clients, and writing that list back as it is would be refused.
 *
 * @example
 * await existingClients(trx, resource.introspectionClients); // without the deleted ones
 */
export async function existingClients(db: Database, ids: readonly string[]): Promise<string[]> {
  const clients = createClientsRepository(db);
  const existing: string[] = [];
  for (const id of ids) if (await clients.findById(id)) existing.push(id);
  return existing;
}
