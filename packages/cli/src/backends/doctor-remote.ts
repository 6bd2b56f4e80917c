import type { DoctorReport, Finding, findingJson } from '@portcullis/auth-server';
import { CliError } from '../errors.ts';
import { adminHttp } from '../remote/admin-http.ts';
import type { Io } from '../runtime.ts';
import type { DoctorBackend } from './doctor-backend.ts';

/** A finding as the admin API and `doctor --json` write it. */
type FindingJson = ReturnType<typeof findingJson>;

const finding = (json: FindingJson): Finding => ({
  id: json.id,
  severity: json.severity,
  subject: {
    kind: json.subject.kind,
    id: json.subject.id,
    ...(json.subject.client_id !== undefined ? { clientId: json.subject.client_id } : {}),
    ...(json.subject.label !== undefined ? { label: json.subject.label } : {}),
  },
  reason: json.reason,
  fix: json.fix,
});

/**
 * The remote back end of `doctor`: the running server's own findings (`admin:read`), on the
 * configuration it runs with; the checks it leaves out come back in `skipped`.
 *
 * @example
 * const { findings, skipped } = await remoteDoctor(io, server).run(undefined);
 */
export function remoteDoctor(io: Io, server: URL): DoctorBackend {
  return {
    async run(mode) {
      if (mode !== undefined) {
        throw new CliError(
          '--mode is not available with --server: the server judges the configuration it runs with',
          2,
        );
      }
      const { body } = await adminHttp(io, server, 'admin:read').call<{
        mode: DoctorReport['mode'];
        findings: FindingJson[];
        skipped: DoctorReport['skipped'];
      }>('GET', '/doctor');
      return { mode: body.mode, findings: body.findings.map(finding), skipped: body.skipped };
    },
  };
}
