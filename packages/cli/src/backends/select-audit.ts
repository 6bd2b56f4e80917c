import type { Io } from '../runtime.ts';
import type { AuditBackend } from './audit-backend.ts';
import { selectBackend } from './select-backend.ts';

/**
 * The back end of the `audit` commands: the admin API with `--server`, else the database.
 *
 * @example
 * const latest = await (await auditBackend(io)).read((trail) => trail.list({ limit: 10 }));
 */
export const auditBackend = (io: Io): Promise<AuditBackend> =>
  selectBackend(io, {
    local: async () => (await import('./audit-local.ts')).localAudit,
    remote: async () => (await import('./audit-remote.ts')).remoteAudit,
  });
