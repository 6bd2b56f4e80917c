import { render } from '../routes/respond.ts';
import type { RouteContext } from '../routes/route.ts';
import { apiPage, listRequest } from './api-pages.ts';
import { refused, type SignedIn, seeOther } from './console-request.ts';
import { type GrantListJson, grantsPage } from './views/grants-views.ts';

type Page = (ctx: RouteContext, signed: SignedIn) => Promise<void>;

/**
 * The grants' page over the admin API: users' grants across users (`GET /admin/v1/grants`,
 * admin:read; usernames only with admin:users), the newest first, paged by the API's cursor and
 * searched by its `q`; revoking one with admin:write (POST with CSRF → `DELETE
 * /admin/v1/grants/{grant}`, no ETag: a revocation only takes access away).
 *
 * @example
 * const grants = grantsRoutes();
 * const route = { method: 'GET', path: '/admin/grants', handler: page(grants.list) };
 */
export function grantsRoutes() {
  const list: Page = async (ctx, signed) => {
    const request = listRequest(ctx);
    const answer = await apiPage<GrantListJson>(signed, '/grants', request);
    if (answer.status !== 200) return refused(ctx, answer, signed.operator);
    const { items, next_cursor: next } = answer.body;
    const revoked = ctx.query.done === 'revoked';
    render(
      ctx,
      200,
      grantsPage({
        operator: signed.operator,
        grants: items,
        query: request.q,
        ...(next ? { next } : {}),
        ...(revoked ? { notice: 'Grant revoked, with every token issued from it.' } : {}),
      }),
    );
  };

  const revoke: Page = async (ctx, signed) => {
    const answer = await signed.api({
      method: 'DELETE',
      path: `/grants/${encodeURIComponent(ctx.params.grant ?? '')}`,
    });
    if (answer.status !== 200) return refused(ctx, answer, signed.operator);
    seeOther(ctx, '/admin/grants?done=revoked');
  };

  return { list, revoke };
}
