import { render } from '../routes/respond.ts';
import type { RouteContext } from '../routes/route.ts';
import { problemOf, refused, type SignedIn } from './console-request.ts';
import { problemsOf } from './problems.ts';
import { type AuditEventJson, type AuditFilters, auditPage } from './views/audit-views.ts';
import { NO_PROBLEMS } from './views/form-fields.ts';

/** How many events a page shows. */
const PAGE_SIZE = 50;

const text = (value: unknown) => (typeof value === 'string' ? value.trim().slice(0, 200) : '');

/**
 * A time as the operator may type it, in UTC: a day (`2026-12-01`), a day and a time
 * (`2026-12-01 09:30`), or an RFC 3339 time with its zone, which goes to the API as it is (and
 * anything else too: the API's own check then words the refusal).
 */
function sinceParameter(typed: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(typed)) return `${typed}T00:00:00Z`;
  const local = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2})?$/.exec(typed);
  if (local) return `${local[1]}T${local[2]}${local[3] ?? ':00'}Z`;
  return typed;
}

/**
 * The audit trail's page over the admin API (`GET /admin/v1/audit`, admin:read): the latest
 * events first (`order=newest`, as `audit list` shows them), filtered by time, type and client,
 * paged by the API's cursor. A filter the API refuses is shown next to its field, in its words.
 *
 * @example
 * const audit = auditRoutes();
 * const route = { method: 'GET', path: '/admin/audit', handler: page(audit.list) };
 */
export function auditRoutes() {
  return {
    async list(ctx: RouteContext, signed: SignedIn): Promise<void> {
      const filters: AuditFilters = {
        since: text(ctx.query.since),
        type: text(ctx.query.type),
        client: text(ctx.query.client),
      };
      const cursor = typeof ctx.query.cursor === 'string' ? ctx.query.cursor : undefined;
      const answer = await signed.api<{ items: AuditEventJson[]; next_cursor: string | null }>({
        path: '/audit',
        query: {
          order: 'newest',
          limit: String(PAGE_SIZE),
          since: filters.since ? sinceParameter(filters.since) : undefined,
          type: filters.type,
          client: filters.client,
          cursor,
        },
      });
      if (answer.status === 400) {
        const problems = problemsOf(problemOf(answer));
        const page = auditPage({ operator: signed.operator, filters, problems, events: [] });
        return render(ctx, 400, page);
      }
      if (answer.status !== 200) return refused(ctx, answer, signed.operator);
      const { items, next_cursor: next } = answer.body;
      render(
        ctx,
        200,
        auditPage({
          operator: signed.operator,
          filters,
          problems: NO_PROBLEMS,
          events: items,
          ...(next ? { next } : {}),
        }),
      );
    },
  };
}
