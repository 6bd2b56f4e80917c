import type { Io } from '../runtime.ts';
import type { ClientsBackend } from './clients-backend.ts';
import { selectBackend } from './select-backend.ts';

/**
 * The back end of the `clients` commands: the admin API with `--server`, else the database.
 *
 * @example
 * const clients = await clientsBackend(io);
 * const { client } = await clients.show('billing');
 */
export const clientsBackend = (io: Io): Promise<ClientsBackend> =>
  selectBackend(io, {
    local: async () => (await import('./clients-local.ts')).localClients,
    remote: async () => (await import('./clients-remote.ts')).remoteClients,
  });
