import type { Io } from '../runtime.ts';
import type { ApplyBackend } from './apply-backend.ts';
import { selectBackend } from './select-backend.ts';

/**
 * The back end of `apply`: the admin API with `--server`, else the database.
 *
 * @example
 * const { result } = await (await applyBackend(io)).run(value, { dryRun: true, prune: false });
 */
export const applyBackend = (io: Io): Promise<ApplyBackend> =>
  selectBackend(io, {
    local: async () => (await import('./apply-local.ts')).localApply,
    remote: async () => (await import('./apply-remote.ts')).remoteApply,
  });
