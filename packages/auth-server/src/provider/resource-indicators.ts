import type { ResourceRecord } from '@portcullis/storage';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { OIDC_SCOPES } from '../domain/oidc-scopes.ts';
import type { CachedClient, ClientRegistry } from '../registry/client-registry.ts';
import type { ResourceRegistry } from '../registry/resource-registry.ts';
import type { UserRoles } from './user-roles.ts';

/**
 * RFC 8707 resource indicators: which API a token is for, and which of that API's scopes the
 * client may hold. Unknown resources and resources the client is not allowed get the same
 * `invalid_target`, so the answer does not reveal which resources exist. A role-gated scope is
 * offered for a user only when one of the user's roles holds it (read at every request, so a
 * role taken away is gone at the next refresh), and otherwise silently dropped, from the consent
 * page as from the token; client credentials have no user, so there the client's allowed scopes
 * decide alone.
 */
export function createResourceIndicators(deps: {
  clients: ClientRegistry;
  resources: ResourceRegistry;
  roles: UserRoles;
}) {
  const { clients, resources, roles } = deps;
  const oidcScopes = new Set(OIDC_SCOPES);
  // The scopes of a resource that a client may hold, kept by the registries' entries, which
  // they replace whenever the client or the resource changes: computed once per pair, not per
  // token.
  // The request's client is cached (oidc-provider has just looked it up): no await for it.
  const cachedClient = (id: string) => clients.peek(id) ?? clients.get(id);
  const allowedScopes = new WeakMap<CachedClient, WeakMap<ResourceRecord, readonly string[]>>();
  const allowedFor = (client: CachedClient, resource: ResourceRecord) => {
    let byResource = allowedScopes.get(client);
    if (!byResource) {
      byResource = new WeakMap();
      allowedScopes.set(client, byResource);
    }
    let allowed = byResource.get(resource);
    if (!allowed) {
      const onResource = new Set(resource.scopes.map((s) => s.name));
      allowed = client.record.scopes.filter((s) => onResource.has(s));
      byResource.set(resource, allowed);
    }
    return allowed;
  };

  return {
    enabled: true,

    // Only client credentials must name a resource. A client allowed exactly one gets it by
    // default — for a browser flow only when it asks for API scopes, so a plain sign-in still
    // gets an access token for userinfo.
    async defaultResource(ctx: KoaContextWithOIDC) {
      const client = ctx.oidc.client ? await cachedClient(ctx.oidc.client.clientId) : undefined;
      const allowed = client?.record.resources ?? [];
      const requested = String(ctx.oidc.params?.scope ?? '')
        .split(' ')
        .filter(Boolean);
      const wantsApi =
        ctx.oidc.params?.grant_type === 'client_credentials' ||
        requested.some((s) => !oidcScopes.has(s));
      if (allowed.length === 1 && wantsApi) return allowed[0];
      if (ctx.oidc.params?.grant_type === 'client_credentials') {
        throw new errors.InvalidTarget(
          allowed.length === 0
            ? 'this client is not allowed any resource'
            : 'the resource parameter is required: this client is allowed several resources',
        );
      }
      return undefined;
    },

    async getResourceServerInfo(
      ctx: KoaContextWithOIDC,
      identifier: string,
      oidcClient: { clientId: string },
    ) {
      const client = await cachedClient(oidcClient.clientId);
      const resource = await resources.get(identifier);
      if (!client || !resource || !client.record.resources.includes(identifier)) {
        throw new errors.InvalidTarget('the resource is unknown or not allowed for this client');
      }
      const clientCredentials = ctx.oidc.params?.grant_type === 'client_credentials';
      let allowed = allowedFor(client, resource);
      if (!clientCredentials && resource.roleGatedScopes.length > 0) {
        const userId = userOf(ctx);
        const held = new Set(userId ? (await roles.onResource(userId, identifier)).scopes : []);
        const gated = new Set(resource.roleGatedScopes);
        allowed = allowed.filter((s) => !gated.has(s) || held.has(s));
      }

      // oidc-provider silently drops requested scopes the resource does not grant; for client
      // credentials a request for a scope the client may not hold is an error (RFC 6749 §5.2).
      if (clientCredentials) {
        const requested = String(ctx.oidc.params?.scope ?? '')
          .split(' ')
          .filter(Boolean);
        const refused = requested.find((s) => !oidcScopes.has(s) && !allowed.includes(s));
        if (refused !== undefined) {
          throw new errors.InvalidScope('requested scope is not allowed', refused);
        }
      }

      return {
        scope: allowed.join(' '),
        audience: identifier,
        accessTokenTTL: resource.accessTokenTtl,
        accessTokenFormat: resource.accessTokenFormat === 'opaque' ? 'opaque' : 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      };
    },

    useGrantedResource: async () => true,
  };
}

// The user a token or consent is for: the grant's at the token endpoint (code, refresh token,
// device code), the signed-in session's at the authorization endpoint; none before sign-in, when
// oidc-provider asks again once the user is known.
function userOf(ctx: KoaContextWithOIDC): string | undefined {
  const grant = ctx.oidc.entities.Grant as { accountId?: string } | undefined;
  return grant?.accountId ?? ctx.oidc.session?.accountId;
}
