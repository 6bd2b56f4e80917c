import { grantPageKey } from '@portcullis/storage';
import { createGrantsService } from '../../services/grants-service.ts';
import { grantJson } from '../../views/grant-json.ts';
import type { AdminCall, AdminOperation } from '../admin-operation.ts';
import { grantPageQuery, namePage, type PageParameters } from '../pagination.ts';

// Revocations say where they came from in `consent.revoked`.
const change = (call: AdminCall) => ({ actor: call.actor, via: 'admin_api' as const });

/**
 * The grants' operations: a user's grants, grants across users (searched and filtered), and
 * revoking them (with every token issued from them) through the grants service, as
 * `grants list` and `grants revoke` do. Lists are read a page at a time by PostgreSQL, the
 * newest first. Revocations need no If-Match: they only take access away, never overwrite
 * anyone's change, and a 412 must never delay one in an incident.
 *
 * Scopes: a user's grants are read through the user (`admin:users`, as every `/users` read).
 * The list across users (`GET /grants`) is about which apps hold access, and needs `admin:read`
 * as the audit trail does, which names users by id too; the username (personal data) is shown,
 * searched (`q`) and accepted in `user` only when the token also grants `admin:users`, so an
 * `admin:read` token cannot learn which usernames exist.
 *
 * @example
 * const operations = grantOperations();
 */
export function grantOperations(): AdminOperation[] {
  return [
    {
      operationId: 'listUserGrants',
      method: 'GET',
      path: '/users/{user}/grants',
      scope: 'admin:users',
      async run(call) {
        const query = call.query as PageParameters;
        const rows = await createGrantsService(call.db).listPageForUser(
          call.params.user ?? '',
          grantPageQuery({ limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) }),
        );
        const page = namePage(rows, query.limit, grantPageKey, false);
        return { status: 200, body: { ...page, items: page.items.map(grantJson) } };
      },
    },
    {
      operationId: 'listGrants',
      method: 'GET',
      path: '/grants',
      scope: 'admin:read',
      async run(call) {
        const query = call.query as PageParameters & { user?: string; client?: string };
        const usernames = call.scopes.has('admin:users');
        const rows = await createGrantsService(call.db).listPage({
          ...grantPageQuery(query),
          ...(query.user !== undefined ? { user: query.user } : {}),
          ...(query.client !== undefined ? { client: query.client } : {}),
          usernames,
        });
        const page = namePage(rows, query.limit, grantPageKey, false);
        const items = page.items.map((grant) => ({
          ...grantJson(grant),
          user_id: grant.accountId,
          ...(usernames ? { username: grant.username } : {}),
        }));
        return { status: 200, body: { ...page, items } };
      },
    },
    {
      operationId: 'revokeUserGrants',
      method: 'DELETE',
      path: '/users/{user}/grants',
      scope: 'admin:write',
      async run(call) {
        const client = call.query.client;
        const revoked = await createGrantsService(call.db).revokeAsOperator(
          {
            user: call.params.user ?? '',
            ...(typeof client === 'string' ? { client } : {}),
          },
          change(call),
        );
        return { status: 200, body: { revoked } };
      },
    },
    {
      operationId: 'revokeGrant',
      method: 'DELETE',
      path: '/grants/{grant}',
      scope: 'admin:write',
      async run(call) {
        const revoked = await createGrantsService(call.db).revokeAsOperator(
          { grant: call.params.grant ?? '' },
          change(call),
        );
        return { status: 200, body: { revoked } };
      },
    },
  ];
}
