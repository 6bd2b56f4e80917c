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

const badRequest = (parameter: string, detail: string) =>
  new AdminProblem('invalid-request', detail, [{ parameter, detail }]);

// An event id from a cursor: the id of the last event shown.
function idOf(cursor: string): string {
  const [id] = decodeCursor(cursor);
  if (id === undefined || !/^\d{1,19}$/.test(id)) {
    throw badRequest('cursor', 'cursor is not one this API gave');
  }
  return id;
}

interface AuditParameters {
  since?: string;
  type?: AuditEventType;
  client?: string;
  limit?: number;
  cursor?: string;
  after?: string;
  order?: 'oldest' | 'newest';
}

// The page asked for: its bounds in event ids, and its order.
function bounds(query: AuditParameters) {
  if (query.order === 'newest') {
    if (query.after !== undefined) {
      throw badRequest('after', 'after follows the trail oldest first: not with order=newest');
    }
    return {
      newest: true,
      ...(query.cursor !== undefined ? { beforeId: idOf(query.cursor) } : {}),
    };
  }
  // A cursor continues the page it came from, which `after` (if any) started.
  const afterId = query.cursor !== undefined ? idOf(query.cursor) : (query.after ?? '0');
  return { newest: false, afterId };
}

/**
 * The audit trail's operation: events filtered as `audit list` filters them, paged in the
 * database by event id (the cursor names the last event shown, so a page is never skipped or
 * repeated while events are added): oldest first, from `since` or after the event `after` (to
 * follow the trail, as `audit tail` does), or with `order=newest` the latest first (the latest
 * events, as `audit list` shows them, without reading the whole trail).
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
        const query = call.query as AuditParameters;
        const { newest, ...ids } = bounds(query);
        const size = query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit);
        // One more than the page: whether there is a next one. Without `afterId` the service
        // gives the latest events (below `beforeId`) oldest first: reversed, newest first.
        const fetched = await createAuditLogService(call.db).list({
          ...ids,
          limit: size + 1,
          ...(query.since !== undefined ? { since: new Date(query.since) } : {}),
          ...(query.type !== undefined ? { type: query.type } : {}),
          ...(query.client !== undefined ? { clientId: query.client } : {}),
        });
        const events = newest ? fetched.reverse() : fetched;
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
