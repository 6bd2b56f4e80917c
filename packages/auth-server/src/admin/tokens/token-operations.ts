import { createTokensService, issuedTokenJson } from '../../provider/tokens-service.ts';
import { createOperatorTokensService } from '../../services/operator-tokens-service.ts';
import { operatorTokenJson } from '../../views/operator-token-json.ts';
import type { AdminCall, AdminOperation } from '../admin-operation.ts';
import { grantPageQuery, namePage, type PageParameters } from '../pagination.ts';
import { AdminProblem } from '../problem.ts';

/** A TokenIssue body, validated against the document. */
interface TokenIssueBody {
  client: string;
  user?: string;
  scope: string;
  resource: string;
  ttl?: string | number;
}

// The tokens service names its fields as its input does; the body as the document does.
const FIELD_KEYS = {
  client: 'client',
  user: 'user',
  scopes: 'scope',
  ttl: 'ttl',
  resource: 'resource',
} as const;

// A token that acts for a user is as strong as the user's password: issuing one needs the scope
// that guards users too, as setting a password does.
function mayActForUsers(call: AdminCall): void {
  if (call.scopes.has('admin:users')) return;
  throw new AdminProblem(
    'forbidden',
    'a token for a user needs admin:users besides admin:write',
    [{ pointer: '/user', detail: 'user needs a token with admin:users' }],
    'admin:write admin:users',
  );
}

/**
 * Operator tokens: `tokens list`, `tokens issue` and `tokens revoke --grant` over HTTP, through the tokens
 * service with the caller as the audit actor (`token.issued`, `token.revoked`). An issued token is
 * opaque, introspectable and revocable, and shown only in the answer that issues it (never
 * stored in usable form: the server keeps its digest).
 *
 * @example
 * const operations = tokenOperations();
 */
export function tokenOperations(): AdminOperation[] {
  return [
    {
      operationId: 'listTokens',
      method: 'GET',
      path: '/tokens',
      scope: 'admin:read',
      async run(call) {
        const query = call.query as PageParameters;
        // The newest first, as grants: the cursor is the second of issue and the grant id.
        const { after, limit } = grantPageQuery(query);
        const rows = await createOperatorTokensService(call.db).list({
          ...(after ? { after } : {}),
          limit,
        });
        const page = namePage(
          rows,
          query.limit,
          (t) => [String(t.issuedAt.getTime() / 1000), t.grantId],
          false,
        );
        return { status: 200, body: { ...page, items: page.items.map(operatorTokenJson) } };
      },
    },
    {
      operationId: 'issueToken',
      method: 'POST',
      path: '/tokens',
      scope: 'admin:write',
      fieldKeys: FIELD_KEYS,
      async run(call) {
        const body = call.body as TokenIssueBody;
        if (body.user !== undefined) mayActForUsers(call);
        const issued = await createTokensService(call.db).issue(
          {
            client: body.client,
            ...(body.user !== undefined ? { user: body.user } : {}),
            scopes: [body.scope],
            resource: body.resource,
            ...(body.ttl !== undefined ? { ttl: body.ttl } : {}),
          },
          { actor: call.actor },
        );
        return { status: 201, body: issuedTokenJson(issued) };
      },
    },
    {
      operationId: 'revokeToken',
      method: 'DELETE',
      path: '/tokens/{grant}',
      scope: 'admin:write',
      async run(call) {
        const revoked = await createTokensService(call.db).revoke(
          { grant: call.params.grant ?? '' },
          { actor: call.actor },
        );
        return { status: 200, body: revoked };
      },
    },
  ];
}
