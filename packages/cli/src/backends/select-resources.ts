import type { Io } from '../runtime.ts';
import type { ResourcesBackend } from './resources-backend.ts';
import { selectBackend } from './select-backend.ts';

/**
 * The back end of the `resources` commands in the mode the command line chose.
 *
 * @example
 * const { resource } = await (await resourcesBackend(io)).show('https://api.example.com');
 */
export function resourcesBackend(io: Io): Promise<ResourcesBackend> {
  return selectBackend(io, {
    local: async () => (await import('./resources-local.ts')).localResources,
    remote: async () => (await import('./resources-remote.ts')).remoteResources,
  });
}
