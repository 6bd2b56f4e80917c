import { createClientsRepository, type Database } from '@portcullis/storage';
import { verifyClientSecret } from '../secrets/client-secret.ts';
import type { ChangeOptions } from './change-options.ts';
import { createClientsService } from './clients-service.ts';
import { existingClients } from './existing-clients.ts';
import { createResourcesService } from './resources-service.ts';

/** What {@link seedIntrospectionClient} registers. */
export interface SeedIntrospectionClientInput {
  /** The client's name: how a run finds it when `known` is lost or no longer works. */
  name: string;
  /** The registered resource whose tokens it introspects. */
  resource: string;
  /** The credentials an earlier run kept, if any. */
  known?: { clientId: string; clientSecret: string };
}

/** What {@link seedIntrospectionClient} did: credentials that work, or why there are none. */
export type SeededIntrospectionClient =
  | {
      /**
       * `kept`: `known` still works; `created`: a new client; `new-secret`: the client found by
       * name got a new secret (its other secrets expired at once).
       */
      outcome: 'kept' | 'created' | 'new-secret';
      clientId: string;
      /** Its secret: `known`'s when that still works, else a new one, shown only here. */
      clientSecret: string;
      /** The client is disabled: it cannot authenticate to introspect until enabled. */
      disabled: boolean;
    }
  /** A public client holds the name (its id here): nothing was written. */
  | { outcome: 'taken'; clientId: string };

/**
 * Makes sure a confidential client named `name` can introspect the tokens of `resource`, and
 * returns credentials that work, in one transaction: `known` when its client exists and its
 * secret is one of the client's live secrets; otherwise the client of that name gets a new
 * secret (the others expire at once), or, when there is none, is registered (grant
 * client_credentials, no resource or scope: it only introspects). The client is then added to
 * the resource's introspection clients unless it is one already. What `portcullis dev` runs for
 * the example API, so that the API accepts opaque tokens, across runs and port changes (the
 * resource's seed keeps its introspection clients when it moves).
 *
 * @example
 * const seeded = await seedIntrospectionClient(db, { name: 'example-api', resource, known });
 * if (seeded.outcome !== 'kept') await save(seeded.clientId, seeded.clientSecret);
 */
export async function seedIntrospectionClient(
  db: Database,
  input: SeedIntrospectionClientInput,
  options: ChangeOptions = {},
): Promise<SeededIntrospectionClient> {
  return db.transaction(async (trx) => {
    const credentials = await workingCredentials(trx, input, options);
    if (credentials.outcome === 'taken') return credentials;
    const resources = createResourcesService(trx);
    const { introspectionClients } = await resources.show(input.resource);
    if (!introspectionClients.includes(credentials.clientId)) {
      const existing = await existingClients(trx, introspectionClients);
      await resources.update(
        input.resource,
        { introspectionClients: [...existing, credentials.clientId] },
        options,
      );
    }
    return credentials;
  });
}

async function workingCredentials(
  trx: Database,
  { name, known }: SeedIntrospectionClientInput,
  options: ChangeOptions,
): Promise<SeededIntrospectionClient> {
  const repository = createClientsRepository(trx);
  const current = known && (await repository.findById(known.clientId));
  if (known && current && !current.isPublic) {
    const now = new Date();
    const secrets = await repository.secrets(current.id);
    const works = secrets.some(
      (secret) =>
        (secret.expiresAt === null || secret.expiresAt > now) &&
        verifyClientSecret(known.clientSecret, secret.secretHash),
    );
    if (works) return { ...known, outcome: 'kept', disabled: current.disabledAt !== null };
  }
  const clients = createClientsService(trx);
  const named = (await repository.list()).find(
    (client) => client.name.toLowerCase() === name.toLowerCase(),
  );
  if (named?.isPublic) {
    return { outcome: 'taken', clientId: named.id };
  }
  if (named) {
    const { clientSecret } = await clients.rotateSecret(named.id, { keepOld: 0 }, options);
    return {
      clientId: named.id,
      clientSecret,
      outcome: 'new-secret',
      disabled: named.disabledAt !== null,
    };
  }
  const { client, clientSecret } = await clients.create(
    { name, grants: ['client_credentials'] },
    options,
  );
  // A confidential client always gets a secret on creation.
  return { clientId: client.id, clientSecret: clientSecret!, outcome: 'created', disabled: false };
}
