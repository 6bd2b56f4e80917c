import { render } from '../routes/respond.ts';
import type { RouteContext } from '../routes/route.ts';
import { refused, type SignedIn } from './console-request.ts';
import {
  type ClientRefJson,
  type ResourceJson,
  resourcePage,
  resourcesPage,
} from './views/resources-views.ts';

/** How many resources a page shows. */
const PAGE_SIZE = 50;

/**
 * The resources' pages over the admin API, read-only (`GET /admin/v1/resources` paged by the
 * API's cursor, `GET /admin/v1/resources/{resource}` with the clients allowed it; admin:read).
 * Registering and changing resources stays with the CLI and the API.
 *
 * @example
 * const resources = resourcesRoutes();
 * const route = { method: 'GET', path: '/admin/resources', handler: page(resources.list) };
 */
export function resourcesRoutes() {
  return {
    async list(ctx: RouteContext, signed: SignedIn): Promise<void> {
      const cursor = typeof ctx.query.cursor === 'string' ? ctx.query.cursor : undefined;
      const answer = await signed.api<{ items: ResourceJson[]; next_cursor: string | null }>({
        path: '/resources',
        query: { limit: String(PAGE_SIZE), cursor },
      });
      if (answer.status !== 200) return refused(ctx, answer, signed.operator);
      const { items, next_cursor: next } = answer.body;
      render(
        ctx,
        200,
        resourcesPage({ operator: signed.operator, resources: items, ...(next ? { next } : {}) }),
      );
    },
    async show(ctx: RouteContext, signed: SignedIn): Promise<void> {
      const answer = await signed.api<{ resource: ResourceJson; clients: ClientRefJson[] }>({
        path: `/resources/${encodeURIComponent(ctx.params.resource ?? '')}`,
      });
      if (answer.status !== 200) return refused(ctx, answer, signed.operator);
      const { resource, clients } = answer.body;
      render(ctx, 200, resourcePage({ operator: signed.operator, resource, clients }));
    },
  };
}
