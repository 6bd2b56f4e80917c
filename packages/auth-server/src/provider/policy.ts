import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ClientRegistry } from '../registry/client-registry.ts';
import { newId } from '../services/new-id.ts';
import { flushPendingWrites, writesPending } from './artifact-reads.ts';

/** Finds the user's grant to a client, whichever browser session it was given in. */
export interface GrantLookup {
  findLatestFor(accountId: string, clientId: string): Promise<{ grantId: string } | undefined>;
}

/**
 * `loadExistingGrant`: the grant this user already gave this client. Consent belongs to the user
 * and the app, not to a browser session: when the session holds no live grant for the client
 * (a new browser, or its grant was revoked), the user's newest live grant to it is reused, so a
 * new session asks only for what that grant lacks, and consenting grows it instead of adding a
 * second grant. A revoked grant is deleted, so it is never found again. For first-party
 * clients (registered with `--first-party`), a grant covering everything requested, so they
 * never show a consent page. Third-party clients get only what the user approved.
 *
 * @example
 * const configuration = { loadExistingGrant: createLoadExistingGrant(clients, grantsRepository) };
 */
export function createLoadExistingGrant(clients: ClientRegistry, grants: GrantLookup) {
  return async (ctx: KoaContextWithOIDC) => {
    const { oidc } = ctx;
    const client = oidc.client;
    if (!client || !oidc.session) return undefined;
    const existing = await findGrant(ctx, grants);
    if (existing) keepThroughLogout(ctx);
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
    keepThroughLogout(ctx);
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

// The grant of the consent just given, else the session's, else the user's newest to the client.
async function findGrant(ctx: KoaContextWithOIDC, grants: GrantLookup) {
  const { oidc } = ctx;
  const clientId = String(oidc.client?.clientId);
  const grantId = oidc.result?.consent?.grantId || oidc.session?.grantIdFor(clientId);
  const inSession = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  const accountId = oidc.session?.accountId;
  if (inSession || !accountId) return inSession;
  // A grant written in this request and still waiting would not be found (artifact-reads.ts).
  if (writesPending()) await flushPendingWrites();
  const latest = await grants.findLatestFor(accountId, clientId);
  return latest ? oidc.provider.Grant.find(latest.grantId) : undefined;
}

// Signing out of one browser must not take back an approval other sessions share: without this,
// oidc-provider's logout revokes the session's grants (those it issued no offline token from).
// Tokens bound to the session still end with it; the approval is removed from /account or by an
// operator.
function keepThroughLogout(ctx: KoaContextWithOIDC) {
  const { session, client } = ctx.oidc;
  if (!session || !client) return;
  session.ensureClientContainer(client.clientId);
  (session.authorizationFor(client.clientId) as { persistsLogout?: boolean }).persistsLogout = true;
}
