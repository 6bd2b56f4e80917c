import type { OperatorTokenRecord } from '@portcullis/storage';

/**
 * An operator-issued token as the admin API and `tokens list --json` write it: the names of
 * `tokens issue --json` (`grant_id`, `client_id`, `sub`, `scope`, `resource`, `expires_at`) with
 * when and by whom it was issued; never the token or its digest. `sub` is null for a token the
 * client holds for itself, `issued_by` once the audit trail no longer has its `token.issued`.
 *
 * @example
 * (await createOperatorTokensService(db).list()).map(operatorTokenJson);
 */
export function operatorTokenJson(token: OperatorTokenRecord) {
  return {
    grant_id: token.grantId,
    client_id: token.clientId,
    client_name: token.clientName,
    sub: token.subject,
    scope: token.scope,
    resource: token.resource,
    issued_at: token.issuedAt.toISOString(),
    expires_at: token.expiresAt?.toISOString() ?? null,
    issued_by: token.issuedBy,
  };
}

/** An operator token as the admin API and `tokens list --json` write it. */
export type OperatorTokenJson = ReturnType<typeof operatorTokenJson>;
