import type { Database, ScopeRecord } from '@portcullis/storage';
import type { ChangeOptions } from './change-options.ts';
import { createClientsService } from './clients-service.ts';
import { existingClients } from './existing-clients.ts';
import { createResourcesService } from './resources-service.ts';

/** The resource {@link seedResource} registers. */
export interface SeedResourceInput {
  identifier: string;
  name: string;
  scopes: readonly ScopeRecord[];
}

/** What {@link seedResource} did. */
export interface SeededResource {
  /** The resource was registered now (first run, or moved from `moved.from`). */
  seeded: boolean;
  /** Set when the resource of an earlier run, under another identifier, was moved here. */
  moved?: { from: string; clients: Array<{ id: string; name: string }> };
  /** Set when a resource that may not move holds the name: nothing was written. */
  takenBy?: string;
}

/**
 * Registers `resource` unless its identifier is registered already. When a resource of the same
 * name (any case) is registered under an identifier `movable` accepts (an earlier run on
 * another port), the registration follows, in one transaction: a resource under the new
 * identifier with the old one's scopes, lifetime, format and introspection clients (those not
 * deleted since), every client allowed the old identifier allowed the new one instead (keeping
 * its scopes), and the old one deleted. A resource of the same name that may not move is left
 * alone (`takenBy`).
 *
 * @example
 * await seedResource(db, { identifier, name, scopes }, (id) => id.startsWith('http://localhost:'));
 */
export async function seedResource(
  db: Database,
  resource: SeedResourceInput,
  movable: (identifier: string) => boolean,
  options: ChangeOptions = {},
): Promise<SeededResource> {
  const { identifier, name, scopes } = resource;
  if (await createResourcesService(db).find(identifier)) return { seeded: false };
  return db.transaction(async (trx) => {
    const resources = createResourcesService(trx);
    const taken = (await resources.list()).find(
      (other) => other.name.toLowerCase() === name.toLowerCase(),
    );
    if (!taken) {
      await resources.create({ identifier, name, scopes }, options);
      return { seeded: true };
    }
    if (!movable(taken.identifier)) return { seeded: false, takenBy: taken.identifier };
    const clients = await resources.referencingClients(taken.identifier);
    // The old registration gives up its name first: names are unique.
    await resources.update(taken.identifier, { name: `${name} (${taken.identifier})` }, options);
    await resources.create(
      {
        identifier,
        name,
        scopes: taken.scopes,
        accessTokenTtl: taken.accessTokenTtl,
        accessTokenFormat: taken.accessTokenFormat,
        introspectionClients: await existingClients(trx, taken.introspectionClients),
      },
      options,
    );
    const clientsService = createClientsService(trx);
    for (const { id } of clients) {
      const { client } = await clientsService.show(id);
      await clientsService.update(
        id,
        { resources: client.resources.map((r) => (r === taken.identifier ? identifier : r)) },
        options,
      );
    }
    await resources.delete(taken.identifier, options);
    return { seeded: true, moved: { from: taken.identifier, clients } };
  });
}
