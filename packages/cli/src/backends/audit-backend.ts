import type { AuditEventRecord, AuditQuery } from '@portcullis/storage';

/**
 * A reader of the audit trail. It answers as the audit log service does: with `afterId`
 * (following the trail) the first `limit` events after it, otherwise the latest `limit`; oldest
 * first either way.
 */
export interface AuditTrail {
  list(query: AuditQuery): Promise<AuditEventRecord[]>;
}

/**
 * What the `audit` commands read, with two back ends: the audit log service on the database
 * (local mode) or the admin API (`--server`). The commands print the same from either.
 */
export interface AuditBackend {
  /** Where the trail is read, for messages: `the database` or `the server`. */
  source: string;
  /** Runs `work` with a reader of the trail, held open (one connection) until it ends. */
  read<T>(work: (trail: AuditTrail) => Promise<T>): Promise<T>;
}
