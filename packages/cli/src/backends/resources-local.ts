import { AuthServerError } from '@portcullis/auth-server/config';
import { CliError } from '../errors.ts';
import type { Io } from '../runtime.ts';
import { localBackend } from './local-backend.ts';
import { type ResourcesBackend, withForceHint } from './resources-backend.ts';

/**
 * The local back end of the `resources` commands: each call one call of the resources service
 * on the database, audited with the CLI's actor.
 *
 * @example
 * await localResources(io).list();
 */
export function localResources(io: Io): ResourcesBackend {
  const { onDatabase, change } = localBackend(io);
  return {
    list: () => onDatabase((s, db) => s.createResourcesService(db).list()),
    show: (identifier) =>
      onDatabase(async (s, db) => {
        const service = s.createResourcesService(db);
        const resource = await service.show(identifier);
        const clients = await service.referencingClients(identifier);
        return { resource, clients: clients.map((c) => ({ id: c.id, name: c.name })) };
      }),
    create: (input) => onDatabase((s, db) => s.createResourcesService(db).create(input, change())),
    update: (identifier, input) =>
      onDatabase((s, db) => s.createResourcesService(db).update(identifier, input, change())),
    delete: (identifier, options) =>
      onDatabase((s, db) =>
        s
          .createResourcesService(db)
          .delete(identifier, { ...change(), force: options.force })
          .catch((error: unknown) => {
            // The service says what is in the way; the flag that overrides it is the CLI's.
            if (error instanceof AuthServerError && error.code === 'conflict') {
              throw new CliError(withForceHint(error.message));
            }
            throw error;
          }),
      ),
  };
}
