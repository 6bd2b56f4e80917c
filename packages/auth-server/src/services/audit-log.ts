import {
  type AuditEventRecord,
  type AuditQuery,
  createAuditRepository,
  type Database,
} from '@portcullis/storage';

/**
 * Reading the audit trail, for `audit list` and `audit tail` (the events themselves are written
 * by each service with the change they describe).
 *
 * @example
 * const latest = await createAuditLogService(db).list({ type: 'signin.failed', limit: 50 });
 */
export function createAuditLogService(db: Database) {
  const events = createAuditRepository(db);
  return {
    /**
     * Events matching every given filter, oldest first: with `afterId` (following the trail) the
     * first `limit` after it, otherwise the latest `limit` [100] (below `beforeId` when given).
     */
    list: (query: AuditQuery = {}): Promise<AuditEventRecord[]> => events.list(query),
  };
}

/** The service {@link createAuditLogService} returns. */
export type AuditLogService = ReturnType<typeof createAuditLogService>;
