import type { AuditEventRecord, AuditQuery } from '@portcullis/storage';
import type { eventJson } from '../format/audit.ts';
import { adminHttp } from '../remote/admin-http.ts';
import type { Io } from '../runtime.ts';
import type { AuditBackend } from './audit-backend.ts';

/** An audit event as the admin API and `audit list --json` write it. */
type EventJson = ReturnType<typeof eventJson>;

/** The admin API's largest page. */
const PAGE = 200;

const eventRecord = (json: EventJson): AuditEventRecord => ({
  id: json.id,
  occurredAt: new Date(json.occurred_at),
  type: json.type,
  actor: json.actor,
  clientId: json.client_id,
  subject: json.subject,
  address: json.address,
  details: json.details,
});

/**
 * The remote back end of the `audit` commands: the admin API's trail (`admin:read`), read as
 * the service reads it. The latest events come a page at a time, newest first (`order=newest`),
 * so `audit list` never reads more of the trail than it shows; following the trail reads the
 * events after the last one seen (`after`), oldest first, as `audit tail` does locally.
 *
 * @example
 * const latest = await remoteAudit(io, server).read((trail) => trail.list({ limit: 10 }));
 */
export function remoteAudit(io: Io, server: URL): AuditBackend {
  const http = adminHttp(io, server, 'admin:read');
  const list = async (query: AuditQuery) => {
    const want = query.limit ?? 100;
    const filters = new URLSearchParams({
      ...(query.since !== undefined ? { since: query.since.toISOString() } : {}),
      ...(query.type !== undefined ? { type: query.type } : {}),
      ...(query.clientId !== undefined ? { client: query.clientId } : {}),
      ...(query.afterId !== undefined ? { after: query.afterId } : { order: 'newest' }),
    });
    const events: AuditEventRecord[] = [];
    let cursor: string | null = null;
    do {
      const page = new URLSearchParams(filters);
      page.set('limit', String(Math.min(PAGE, want - events.length)));
      if (cursor) page.set('cursor', cursor);
      const { body } = await http.call<{ items: EventJson[]; next_cursor: string | null }>(
        'GET',
        `/audit?${page}`,
      );
      events.push(...body.items.map(eventRecord));
      cursor = body.next_cursor;
    } while (cursor && events.length < want);
    // The latest came newest first: oldest first, as the service gives them.
    return query.afterId !== undefined ? events : events.reverse();
  };
  return { source: 'the server', read: (work) => work({ list }) };
}
