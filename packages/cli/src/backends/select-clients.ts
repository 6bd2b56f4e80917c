import { remoteServer } from '../remote/remote-server.ts';
import type { Io } from '../runtime.ts';
import type { ClientsBackend } from './clients-backend.ts';

/**
 * The back end of the mode the command line chose: remote with `--server` (or
 * `PORTCULLIS_SERVER`), else local.
 *
 * @example
 * const clients = await clientsBackend(io);
 * const { client } = await clients.show('billing');
 */
export async function clientsBackend(io: Io): Promise<ClientsBackend> {
  const server = remoteServer(io);
  if (server) return (await import('./clients-remote.ts')).remoteClients(io, server);
  return (await import('./clients-local.ts')).localClients(io);
}
