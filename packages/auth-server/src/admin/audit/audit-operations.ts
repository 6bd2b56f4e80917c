import type { AuditEventRecord, AuditEventType } from '@portcullis/storage';
import { createAuditLogService } from '../../services/audit-log.ts';
import type { AdminOperation } from '../admin-operation.ts';
import { decodeCursor, encodeCursor } from '../pagination.ts';
import { AdminProblem } from '../problem.ts';

const DEFAULT_LIMIT = 50;

/**
 * An audit event as the admin API shows it: the shape of `audit list --json`.
 *
 * @example
 * eventJson(event); // { id, occurred_at, type, actor, client_id, subject, address, details }
 */
function eventJson(event: AuditEventRecord) {
  return {
    id: event.id,
    occurred_at: event.occurredAt.toISOString(),
    type: event.type,
    actor: event.actor,
    client_id: event.clientId,
    subject: event.subject,
    address: event.address,
    details: event.details,
  };
}

// An event id from a cursor: the increasing id of the last event shown.
function afterId(cursor: string | undefined): string {
  if (cursor === undefined) return '0';
  const [id] = decodeCursor(cursor);
  if (id === undefined || !/^\d{1,19}$/.test(id)) {
    throw new AdminProblem('invalid-request', 'the cursor is not one this API gave', [
      { parameter: 'cursor', detail: 'cursor is not one this API gave' },
    ]);
  }
  return id;
}

/**
 * The audit trail's operation: events oldest first, filtered as `audit list` filters them, paged
 * in the database by event id (the cursor names the last event shown, so a page is never
 * skipped or repeated while events are added).
 *
 * @example
 * const operations = auditOperations();
 */
export function auditOperations(): AdminOperation[] {
  return [
    {
      operationId: 'listAuditEvents',
      method: 'GET',
      path: '/audit',
      scope: 'admin:read',
      async run(call) {
        const { since, type, client, limit, cursor } = call.query as {
          since?: string;
          type?: AuditEventType;
          client?: string;
          limit?: number;
          cursor?: string;
        };
        const size = limit === undefined ? DEFAULT_LIMIT : Number(limit);
        // One more than the page: whether there is a next one.
        const events = await createAuditLogService(call.db).list({
          afterId: afterId(cursor),
          limit: size + 1,
          ...(since !== undefined ? { since: new Date(since) } : {}),
          ...(type !== undefined ? { type } : {}),
          ...(client !== undefined ? { clientId: client } : {}),
        });
        const page = events.slice(0, size);
        const last = page.at(-1);
        return {
          status: 200,
          body: {
            items: page.map(eventJson),
            next_cursor: events.length > size && last ? encodeCursor([last.id]) : null,
          },
        };
      },
    },
  ];
}
