import type { Database } from '@portcullis/storage';
import { CliError } from './errors.ts';
import { loadServices } from './lazy.ts';

/** What {@link seedExampleResource} did. */
export interface SeededExample {
  /** The resource was registered now (first run, or moved from `moved.from`). */
  seeded: boolean;
  /** Set when the example API's resource of an earlier run, on another port, was moved here. */
  moved?: { from: string; clients: Array<{ id: string; name: string }> };
}

// What `dev` registers: the example API on a loopback port (`http://localhost:$PORTCULLIS_API_PORT`).
const DEV_IDENTIFIER = /^http:\/\/localhost:\d+$/;

/**
 * Registers the example API's resource under `identifier` (its URL for this run) unless it is
 * registered already, with the name and scopes of the example API's own catalogue: what
 * `portcullis resources apply --from packages/example-api/src/catalogue.ts` registers, so the
 * seed and the API cannot drift.
 *
 * When an earlier run registered it under another port (`PORTCULLIS_API_PORT` changed), the
 * registration follows the port, in one transaction: a resource under the new identifier with the
 * old one's scopes, lifetime, format and introspection clients, every client allowed the old
 * identifier allowed the new one instead (keeping its scopes), and the old one deleted. Clients
 * keep working against the API on its new port; tokens issued for the old identifier were for an
 * API that no longer listens there. A resource of another kind holding the example's name is left
 * alone: the failure says what to run.
 *
 * @example
 * await seedExampleResource(db, 'http://localhost:4000'); // { seeded: true } the first time
 */
export async function seedExampleResource(
  db: Database,
  identifier: string,
): Promise<SeededExample> {
  const { createClientsService, createResourcesService } = await loadServices();
  if (await createResourcesService(db).find(identifier)) return { seeded: false };
  // Loaded here so that other commands do not pay for the example API's modules.
  const { catalogue } = await import('@portcullis/example-api');
  const { name, scopes } = catalogue.toJSON().resources[0]!;
  return db.transaction(async (trx) => {
    const resources = createResourcesService(trx);
    const taken = (await resources.list()).find(
      (resource) => resource.name.toLowerCase() === name.toLowerCase(),
    );
    if (!taken) {
      await resources.create({ identifier, name, scopes });
      return { seeded: true };
    }
    if (!DEV_IDENTIFIER.test(taken.identifier)) {
      throw new CliError(
        `the example API's name "${name}" is taken by the resource ${taken.identifier}: rename it (\`portcullis resources update ${taken.identifier} --name "another name"\`) and start dev again`,
      );
    }
    const clients = await resources.referencingClients(taken.identifier);
    // The old registration gives up its name first: names are unique.
    await resources.update(taken.identifier, { name: `${name} (${taken.identifier})` });
    await resources.create({
      identifier,
      name,
      scopes: taken.scopes,
      accessTokenTtl: taken.accessTokenTtl,
      accessTokenFormat: taken.accessTokenFormat,
      introspectionClients: taken.introspectionClients,
    });
    const clientsService = createClientsService(trx);
    for (const { id } of clients) {
      const { client } = await clientsService.show(id);
      await clientsService.update(id, {
        resources: client.resources.map((r) => (r === taken.identifier ? identifier : r)),
      });
    }
    await resources.delete(taken.identifier);
    return { seeded: true, moved: { from: taken.identifier, clients } };
  });
}
