import { render } from '../routes/respond.ts';
import type { RouteContext } from '../routes/route.ts';
import { apiPage, listRequest } from './api-pages.ts';
import { doneNotice, refused, type SignedIn, seeOther } from './console-request.ts';
import { revokeAllPage } from './views/grants-views.ts';
import { type GrantJson, type UserJson, userPage, usersListPage } from './views/users-views.ts';

type Page = (ctx: RouteContext, signed: SignedIn) => Promise<void>;

// What a successful change says on the user's page or the list: fixed sentences, never text from the URL.
const NOTICES: Readonly<Record<string, string>> = {
  disabled: 'User disabled: their sessions and grants are ended, and they cannot sign in.',
  enabled: 'User enabled.',
  unlocked: 'Failed sign-ins cleared: the user may sign in again.',
  revoked: 'Grant revoked, with every token issued from it.',
  'revoked-all': 'All their grants revoked, with every token issued from them.',
  created: 'User created.',
  email: 'Email changed: the new address is unverified until its owner follows a link.',
  password: 'Password set. It is not shown anywhere.',
  'role-added': 'Role added.',
  'role-removed': 'Role removed.',
  deleted: 'User deleted, with their sessions, grants and tokens.',
};

const userPath = (id: string) => `/admin/users/${encodeURIComponent(id)}`;

// The notice a `done` query names, on the list (after a deletion) or on a user's page.
const noticeOf = (ctx: RouteContext) => doneNotice(ctx, NOTICES);

/**
 * The users' pages over the admin API (every call needs admin:users: users are personal data):
 * the list (paged, or searched by username, name or email), a user with their roles, and
 * disable, enable (sending the ETag the page was rendered with: If-Match) and unlock (which
 * changes no stored user, so the API asks for no ETag).
 *
 * @example
 * const users = usersRoutes();
 * const route = { method: 'GET', path: '/admin/users', handler: page(users.list) };
 */
export function usersRoutes() {
  const list: Page = async (ctx, signed) => {
    const request = listRequest(ctx);
    const answer = await apiPage<UserJson>(signed, '/users', request);
    if (answer.status !== 200) return refused(ctx, answer, signed.operator);
    const { items, next_cursor: next } = answer.body;
    const notice = noticeOf(ctx);
    render(
      ctx,
      200,
      usersListPage({
        operator: signed.operator,
        users: items,
        query: request.q,
        ...(next ? { next } : {}),
        ...(notice ? { notice } : {}),
      }),
    );
  };

  const show: Page = async (ctx, signed) => {
    const answer = await signed.api<UserJson>({
      path: `/users/${encodeURIComponent(ctx.params.user ?? '')}`,
    });
    if (answer.status !== 200) return refused(ctx, answer, signed.operator);
    // Their grants a page at a time: `grants` is the API's cursor of the page shown.
    const cursor = typeof ctx.query.grants === 'string' ? ctx.query.grants : undefined;
    const grants = await apiPage<GrantJson>(
      signed,
      `/users/${encodeURIComponent(answer.body.id)}/grants`,
      { q: '', ...(cursor ? { cursor } : {}) },
    );
    if (grants.status !== 200) return refused(ctx, grants, signed.operator);
    const notice = noticeOf(ctx);
    render(
      ctx,
      200,
      userPage({
        operator: signed.operator,
        user: answer.body,
        etag: answer.etag ?? '',
        grants: grants.body.items,
        ...(grants.body.next_cursor ? { nextGrants: grants.body.next_cursor } : {}),
        canRevoke: signed.operator.scopes.includes('admin:write'),
        ...(notice ? { notice } : {}),
      }),
    );
  };

  const act =
    (action: 'disable' | 'enable' | 'unlock', done: string): Page =>
    async (ctx, signed) => {
      const id = ctx.params.user ?? '';
      const answer = await signed.api({
        method: 'POST',
        path: `/users/${encodeURIComponent(id)}/${action}`,
        ...(action === 'unlock' ? {} : { ifMatch: signed.form.etag ?? '' }),
      });
      if (answer.status !== 200) return refused(ctx, answer, signed.operator);
      seeOther(ctx, `${userPath(id)}?done=${done}`);
    };

  // Revoking takes access away and overwrites no one's change: the API asks for no ETag.
  const revoke: Page = async (ctx, signed) => {
    const answer = await signed.api({
      method: 'DELETE',
      path: `/grants/${encodeURIComponent(ctx.params.grant ?? '')}`,
    });
    if (answer.status !== 200) return refused(ctx, answer, signed.operator);
    seeOther(ctx, `${userPath(ctx.params.user ?? '')}?done=revoked`);
  };

  // Revoking them all asks first (a page saying what it does), then revokes with the API.
  const confirmRevokeAll: Page = async (ctx, signed) => {
    const answer = await signed.api<UserJson>({
      path: `/users/${encodeURIComponent(ctx.params.user ?? '')}`,
    });
    if (answer.status !== 200) return refused(ctx, answer, signed.operator);
    render(ctx, 200, revokeAllPage({ operator: signed.operator, user: answer.body }));
  };
  const revokeAll: Page = async (ctx, signed) => {
    const id = ctx.params.user ?? '';
    const answer = await signed.api({
      method: 'DELETE',
      path: `/users/${encodeURIComponent(id)}/grants`,
    });
    if (answer.status !== 200) return refused(ctx, answer, signed.operator);
    seeOther(ctx, `${userPath(id)}?done=revoked-all`);
  };

  return {
    list,
    confirmRevokeAll,
    revokeAll,
    revoke,
    show,
    disable: act('disable', 'disabled'),
    enable: act('enable', 'enabled'),
    unlock: act('unlock', 'unlocked'),
  };
}
