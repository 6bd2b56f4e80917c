import { createGrantsService } from '../../services/grants-service.ts';
import { grantJson } from '../../views/grant-json.ts';
import type { AdminCall, AdminOperation } from '../admin-operation.ts';
import { paginate } from '../pagination.ts';

// Revocations say where they came from in `consent.revoked`.
const change = (call: AdminCall) => ({ actor: call.actor, via: 'admin_api' as const });

/**
 * The grants' operations: a user's grants, and revoking them (with every token issued from them)
 * through the grants service, as `grants list` and `grants revoke` do. Revocations need no
 * If-Match: they only take access away, never overwrite anyone's change, and a 412 must never
 * delay one in an incident.
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
        const { limit, cursor } = call.query as { limit?: number; cursor?: string };
        const all = await createGrantsService(call.db).listForUser(call.params.user ?? '');
        const page = paginate(all, (g) => [g.grantedAt?.toISOString() ?? '', g.grantId], {
          ...(limit !== undefined ? { limit: Number(limit) } : {}),
          ...(cursor !== undefined ? { cursor } : {}),
        });
        return { status: 200, body: { ...page, items: page.items.map(grantJson) } };
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
