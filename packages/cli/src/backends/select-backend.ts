import { remoteServer } from '../remote/remote-server.ts';
import type { Io } from '../runtime.ts';

/**
 * The back end of a group's commands for the mode the command line chose: remote with
 * `--server` (or `PORTCULLIS_SERVER`), else local. Each is loaded only when chosen, so the local
 * mode never loads the HTTP client and the remote one never loads PostgreSQL's.
 *
 * @example
 * const keys = await selectBackend(io, {
 *   local: async () => (await import('./keys-local.ts')).localKeys,
 *   remote: async () => (await import('./keys-remote.ts')).remoteKeys,
 * });
 */
export async function selectBackend<T>(
  io: Io,
  loaders: {
    local: () => Promise<(io: Io) => T>;
    remote: () => Promise<(io: Io, server: URL) => T>;
  },
): Promise<T> {
  const server = remoteServer(io);
  if (server) return (await loaders.remote())(io, server);
  return (await loaders.local())(io);
}
