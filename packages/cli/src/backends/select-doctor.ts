import type { Io } from '../runtime.ts';
import type { DoctorBackend } from './doctor-backend.ts';
import { selectBackend } from './select-backend.ts';

/**
 * The back end of `doctor`: the admin API with `--server`, else this machine and the database.
 *
 * @example
 * const { findings } = await (await doctorBackend(io)).run('production');
 */
export const doctorBackend = (io: Io): Promise<DoctorBackend> =>
  selectBackend(io, {
    local: async () => (await import('./doctor-local.ts')).localDoctor,
    remote: async () => (await import('./doctor-remote.ts')).remoteDoctor,
  });
