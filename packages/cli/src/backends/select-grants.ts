import type { Io } from '../runtime.ts';
import type { GrantsBackend } from './grants-backend.ts';
import { selectBackend } from './select-backend.ts';

/**
 * The back end of the `grants` commands in the mode the command line chose.
 *
 * @example
 * const revoked = await (await grantsBackend(io)).revoke({ user: 'alice' });
 */
export function grantsBackend(io: Io): Promise<GrantsBackend> {
  return selectBackend(io, {
    local: async () => (await import('./grants-local.ts')).localGrants,
    remote: async () => (await import('./grants-remote.ts')).remoteGrants,
  });
}
