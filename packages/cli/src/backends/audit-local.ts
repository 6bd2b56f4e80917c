import { loadServices } from '../lazy.ts';
import { type Io, withDatabase } from '../runtime.ts';
import type { AuditBackend } from './audit-backend.ts';

/**
 * The local back end of the `audit` commands: the audit log service on the database.
 *
 * @example
 * const latest = await localAudit(io).read((trail) => trail.list({ limit: 10 }));
 */
export function localAudit(io: Io): AuditBackend {
  return {
    source: 'the database',
    async read(work) {
      const { createAuditLogService } = await loadServices();
      return withDatabase(io, (db) => work(createAuditLogService(db)));
    },
  };
}
