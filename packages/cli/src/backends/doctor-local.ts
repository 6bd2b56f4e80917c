import { loadAuthServer } from '../lazy.ts';
import { dataDir, type Io, withDatabase } from '../runtime.ts';
import type { DoctorBackend } from './doctor-backend.ts';

/**
 * The local back end of `doctor`: runDoctor on the environment this command runs in (as `serve`
 * would load it) and the database, whatever its schema (an outdated one is a finding).
 *
 * @example
 * const { findings } = await localDoctor(io).run('production');
 */
export function localDoctor(io: Io): DoctorBackend {
  return {
    async run(mode = 'production') {
      const { runDoctor } = await loadAuthServer();
      return withDatabase(
        io,
        (db) => runDoctor({ db, env: io.env, mode, dataDir: dataDir(io.env) }),
        { requireCurrentSchema: false },
      );
    },
  };
}
