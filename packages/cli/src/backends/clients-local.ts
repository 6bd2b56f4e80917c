import type { ClientsService } from '@portcullis/auth-server/services';
import { loadServices } from '../lazy.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';
import type { ClientsBackend } from './clients-backend.ts';

/**
 * The local back end of the `clients` commands: each call one call of the clients service on
 * the database, audited with the CLI's actor.
 *
 * @example
 * await localClients(io).disable('billing');
 */
export function localClients(io: Io): ClientsBackend {
  const change = () => ({ actor: cliActor(io) });
  const withService = async <T>(work: (service: ClientsService) => Promise<T>) => {
    const { createClientsService } = await loadServices();
    return withDatabase(io, (db) => work(createClientsService(db)));
  };
  return {
    list: () => withService((s) => s.list()),
    show: (idOrName) => withService((s) => s.show(idOrName)),
    create: (input) => withService((s) => s.create(input, change())),
    update: (idOrName, input) => withService((s) => s.update(idOrName, input, change())),
    disable: (idOrName) => withService((s) => s.disable(idOrName, change())),
    enable: (idOrName) => withService((s) => s.enable(idOrName, change())),
    delete: (idOrName) => withService((s) => s.delete(idOrName, change())),
    rotateSecret: (idOrName, options) =>
      withService((s) => s.rotateSecret(idOrName, options, change())),
    secret: (idOrName, name) => withService((s) => s.secret(idOrName, name)),
    removeSecret: (idOrName, secret) =>
      withService((s) => s.removeSecret(idOrName, secret, change())),
  };
}
