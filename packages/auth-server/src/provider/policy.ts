import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ClientRegistry } from '../registry/client-registry.ts';
import { newId } from '../services/new-id.ts';

/**
 * `loadExistingGrant`: the grant already given to this client in this session; for first-party
 * clients (registered with `--first-party`), a grant covering everything requested, so they never
 * show a consent page. Third-party clients get only what the user approved.
 */
export function createLoadExistingGrant(clients: ClientRegistry) {
  return async (ctx: KoaContextWithOIDC) => {
    const { oidc } = ctx;
    const client = oidc.client;
    if (!client || !oidc.session) return undefined;
    const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(client.clientId);
    const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
    const cached = await clients.get(client.clientId);
    if (!cached?.record.firstParty || !oidc.session.accountId) return existing;

    const grant =
      existing ??
      // oidc-provider takes a grant's id (jti) from its payload; its types leave jti out.
      new oidc.provider.Grant({
        jti: newId(),
        clientId: client.clientId,
        accountId: oidc.session.accountId,
      } as { clientId: string; accountId: string });
    grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
    const claims = oidc.claims as {
      id_token?: Record<string, unknown>;
      userinfo?: Record<string, unknown>;
    };
    if (claims.id_token) grant.addOIDCClaims(Object.keys(claims.id_token));
    if (claims.userinfo) grant.addOIDCClaims(Object.keys(claims.userinfo));
    for (const [identifier, server] of Object.entries(oidc.resourceServers ?? {})) {
      const offered = new Set(String(server.scope).split(' '));
      grant.addResourceScope(
        identifier,
        [...oidc.requestParamScopes].filter((s) => offered.has(s)).join(' '),
      );
    }
    await grant.save();
    return grant;
  };
}

/** Refresh tokens only for clients allowed the grant, and only when `offline_access` was granted. */
export async function issueRefreshToken(
  _ctx: KoaContextWithOIDC,
  client: { grantTypeAllowed(type: string): boolean },
  code: { scopes: Set<string> },
): Promise<boolean> {
  return client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access');
}
