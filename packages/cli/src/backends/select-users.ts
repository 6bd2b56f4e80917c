import type { Io } from '../runtime.ts';
import { selectBackend } from './select-backend.ts';
import type { UsersBackend } from './users-backend.ts';

/**
 * The back end of the `users` commands in the mode the command line chose.
 *
 * @example
 * const user = await (await usersBackend(io)).disable('alice');
 */
export function usersBackend(io: Io): Promise<UsersBackend> {
  return selectBackend(io, {
    local: async () => (await import('./users-local.ts')).localUsers,
    remote: async () => (await import('./users-remote.ts')).remoteUsers,
  });
}
