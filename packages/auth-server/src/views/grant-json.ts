import type { GrantRecord } from '@portcullis/storage';

/** A user's grant, described: the client's name and the scopes granted (the services' GrantSummary). */
type GrantView = Pick<
  GrantRecord,
  'grantId' | 'clientId' | 'resources' | 'grantedAt' | 'expiresAt'
> & {
  clientName: string;
  scopes: ReadonlyArray<{ name: string }>;
};

/**
 * A user's grant as the admin API and `grants list --json` write it: the scopes granted as one
 * space-separated `scope`, times in ISO 8601 (null when unknown or never).
 *
 * @example
 * (await grants.listForUser('alice')).map(grantJson); // [{ grant_id, client_id, ... }]
 */
export function grantJson(grant: GrantView) {
  return {
    grant_id: grant.grantId,
    client_id: grant.clientId,
    client_name: grant.clientName,
    scope: grant.scopes.map((s) => s.name).join(' '),
    resources: grant.resources,
    granted_at: grant.grantedAt?.toISOString() ?? null,
    expires_at: grant.expiresAt?.toISOString() ?? null,
  };
}

/** A grant as the admin API and `grants list --json` write it. */
export type GrantJson = ReturnType<typeof grantJson>;
