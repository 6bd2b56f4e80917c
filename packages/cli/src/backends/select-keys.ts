import type { Io } from '../runtime.ts';
import type { KeysBackend } from './keys-backend.ts';
import { selectBackend } from './select-backend.ts';

/**
 * The back end of the `keys` commands: the admin API with `--server`, else the database.
 *
 * @example
 * const { keys } = await (await keysBackend(io)).list();
 */
export const keysBackend = (io: Io): Promise<KeysBackend> =>
  selectBackend(io, {
    local: async () => (await import('./keys-local.ts')).localKeys,
    remote: async () => (await import('./keys-remote.ts')).remoteKeys,
  });
