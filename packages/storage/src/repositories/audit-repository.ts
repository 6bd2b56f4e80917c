import type { Database } from '../database.ts';

/** Every kind of event the audit trail records. */
export const auditEventTypes = [
  'client.created',
  'client.updated',
  'client.disabled',
  'client.enabled',
  'client.deleted',
  'client.secret_added',
  'client.secret_expired',
  'client.secret_removed',
  'registration_token.created',
  'registration_token.revoked',
  'resource.created',
  'resource.updated',
  'resource.deleted',
  'role.created',
  'role.updated',
  'role.deleted',
  'key.staged',
  'key.activated',
  'key.retired',
  'key.removed',
  'token.issued',
  'token.revoked',
  'token.exchanged',
  'token.exchange_refused',
  'signin.succeeded',
  'signin.failed',
  'consent.granted',
  'consent.revoked',
  'refresh_token.reuse_detected',
  'rate_limit.hit',
  'user.created',
  'user.updated',
  'user.disabled',
  'user.enabled',
  'user.unlocked',
  'user.deleted',
  'user.role_added',
  'user.role_removed',
  'idp.created',
  'idp.updated',
  'idp.deleted',
  'idp.linked',
  'idp.unlinked',
  'idp.signin_refused',
  'password.reset_requested',
  'password.reset',
  'password.changed',
  'password.change_failed',
  'email.verification_sent',
  'email.verified',
  'mfa.enrolled',
  'mfa.removed',
  'mfa.reset',
  'mfa.recovery_code_used',
  'passkey.added',
  'passkey.removed',
  'passkey.renamed',
  'passkey.used',
  'passkey.counter_regressed',
  'user.invited',
  'signup.requested',
  'signup.completed',
] as const;

/** One kind of audit event, e.g. `client.created`. */
export type AuditEventType = (typeof auditEventTypes)[number];

/** What {@link AuditRepository.record} stores. */
export interface NewAuditEvent {
  type: AuditEventType;
  /** Who did it: `cli:<os user>`, `user:<id>`, `client:<id>`, or `system`. */
  actor: string;
  clientId?: string | null;
  subject?: string | null;
  /** The remote address of the request, when there was one. */
  address?: string | null;
  /** Event-specific facts. Never a secret, a token or a password. */
  details?: Record<string, unknown>;
}

/** An audit event, as stored. */
export interface AuditEventRecord {
  /** Increasing: `audit tail` follows it. */
  id: string;
  occurredAt: Date;
  type: AuditEventType;
  actor: string;
  clientId: string | null;
  subject: string | null;
  address: string | null;
  details: Record<string, unknown>;
}

/** Filters of {@link AuditRepository.list}. */
export interface AuditQuery {
  since?: Date;
  type?: AuditEventType;
  clientId?: string;
  /** Only events with an id greater than this one (for following the trail). */
  afterId?: string;
  /** Only events with an id less than this one (for paging back from the latest). */
  beforeId?: string;
  /** Most rows returned [100]. */
  limit?: number;
}

interface AuditRow {
  id: string;
  occurred_at: Date;
  type: AuditEventType;
  actor: string;
  client_id: string | null;
  subject: string | null;
  address: string | null;
  details: Record<string, unknown>;
}

const toEvent = (row: AuditRow): AuditEventRecord => ({
  id: String(row.id),
  occurredAt: row.occurred_at,
  type: row.type,
  actor: row.actor,
  clientId: row.client_id,
  subject: row.subject,
  address: row.address,
  details: row.details,
});

/** The row of `event` in `audit_events`. */
export function auditRow(event: NewAuditEvent) {
  return {
    type: event.type,
    actor: event.actor,
    client_id: event.clientId ?? null,
    subject: event.subject ?? null,
    address: event.address ?? null,
    details: JSON.stringify(event.details ?? {}),
  };
}

/**
 * The audit trail in PostgreSQL: append-only writes and filtered reads, oldest first.
 *
 * @example
 * await createAuditRepository(db).record({ type: 'client.created', actor: 'cli:alice', clientId });
 */
export function createAuditRepository(db: Database) {
  return {
    /** Appends one event. Pass a transaction as `db` to record it with the change it describes. */
    async record(event: NewAuditEvent): Promise<void> {
      await db('audit_events').insert(auditRow(event));
    },

    /**
     * Events matching every given filter, oldest first. With `afterId` (following the trail) the
     * first `limit` after it; otherwise the latest `limit` (below `beforeId`, when given, for
     * paging back), still oldest first.
     */
    async list(query: AuditQuery = {}): Promise<AuditEventRecord[]> {
      const limit = query.limit ?? 100;
      const rows = db<AuditRow>('audit_events').select('*');
      if (query.since !== undefined) rows.where('occurred_at', '>=', query.since);
      if (query.type !== undefined) rows.where('type', query.type);
      if (query.clientId !== undefined) rows.where('client_id', query.clientId);
      if (query.afterId !== undefined) {
        rows.where('id', '>', query.afterId).orderBy('id', 'asc').limit(limit);
        return (await rows).map(toEvent);
      }
      if (query.beforeId !== undefined) rows.where('id', '<', query.beforeId);
      rows.orderBy('id', 'desc').limit(limit);
      return (await rows).map(toEvent).reverse();
    },

    /** Deletes events that occurred before `cutoff`; returns how many. */
    async deleteBefore(cutoff: Date): Promise<number> {
      return db('audit_events').where('occurred_at', '<', cutoff).delete();
    },
  };
}

/** The repository {@link createAuditRepository} returns. */
export type AuditRepository = ReturnType<typeof createAuditRepository>;
