import { createResourcesService } from '@portcullis/auth-server';
import type { Database } from '@portcullis/storage';

/**
 * Registers the example API's resource under `identifier` (its URL for this run) unless it is
 * registered already, with the name and scopes of the example API's own catalogue: what
 * `portcullis resources apply --from packages/example-api/src/catalogue.ts` registers, so the
 * seed and the API cannot drift. True when it registered the resource, false when it was there.
 *
 * @example
 * const seeded = await seedExampleResource(db, 'http://localhost:4000'); // true the first time
 */
export async function seedExampleResource(db: Database, identifier: string): Promise<boolean> {
  const resources = createResourcesService(db);
  if (await resources.find(identifier)) return false;
  // Loaded here so that other commands do not pay for the example API's modules.
  const { catalogue } = await import('@portcullis/example-api');
  const { name, scopes } = catalogue.toJSON().resources[0]!;
  await resources.create({ identifier, name, scopes });
  return true;
}
