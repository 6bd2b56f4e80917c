import type { DoctorMode, DoctorReport } from '@portcullis/auth-server';

/**
 * What `doctor` does, with two back ends: runDoctor on this machine's environment and the
 * database (local mode, every check), or the admin API's `GET /doctor` (`--server`: the running
 * server judges its own configuration, and leaves out the checks that request URLs clients
 * registered, named in `skipped`). The command prints the same report from either.
 */
export interface DoctorBackend {
  /** Remotely the server's own mode is judged: `mode` must then be left to it (undefined). */
  run(mode: DoctorMode | undefined): Promise<DoctorReport>;
}
