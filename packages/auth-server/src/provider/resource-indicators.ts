import type { ResourceRecord } from '@portcullis/storage';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { OIDC_SCOPES } from '../domain/oidc-scopes.ts';
import type { CachedClient, ClientRegistry } from '../registry/client-registry.ts';
import type { ResourceRegistry } from '../registry/resource-registry.ts';
import type { UserRoles } from './user-roles.ts';

/** What oidc-provider is told of a resource for one client's tokens (its ResourceServer). */
interface ResourceServerInfo {
  readonly scope: string;
  readonly audience: string;
  readonly accessTokenTTL: number;
  readonly accessTokenFormat: 'opaque' | 'jwt';
  readonly jwt: { readonly sign: { readonly alg: 'ES256' } };
}

/** What a client may hold of one resource, worked out once per client and resource entry. */
interface Pair {
  readonly resource: ResourceRecord;
  /** Whether the client is allowed the resource at all. */
  readonly permitted: boolean;
  /** The resource's scopes the client may hold, in the client's order. */
  readonly allowed: readonly string[];
  readonly allowedSet: ReadonlySet<string>;
  /** The answer for tokens without a user (client credentials) and resources without gating. */
  readonly info: ResourceServerInfo;
}

function createPair(client: CachedClient, resource: ResourceRecord): Pair {
  const onResource = new Set(resource.scopes.map((s) => s.name));
  const allowed = client.record.scopes.filter((s) => onResource.has(s));
  return {
    resource,
    permitted: client.record.resources.includes(resource.identifier),
    allowed,
    allowedSet: new Set(allowed),
    // Shared by every token of the pair, so frozen: oidc-provider copies what it needs of it
    // into its ResourceServer and changes nothing in it.
    info: Object.freeze({
      scope: allowed.join(' '),
      audience: resource.identifier,
      accessTokenTTL: resource.accessTokenTtl,
      accessTokenFormat: resource.accessTokenFormat === 'opaque' ? 'opaque' : 'jwt',
      jwt: Object.freeze({ sign: Object.freeze({ alg: 'ES256' as const }) }),
    }),
  };
}

/** The first scope of the space-delimited `scope` parameter that `allowed` refuses, if any. */
function refusedScope(scope: unknown, allowed: (scope: string) => boolean): string | undefined {
  if (scope === undefined || scope === null || scope === '') return undefined;
  for (const s of String(scope).split(' ')) if (s !== '' && !allowed(s)) return s;
  return undefined;
}

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
  // The request's client is cached (oidc-provider has just looked it up): no await for it.
  const cachedClient = (id: string) => clients.peek(id) ?? clients.get(id);
  // Kept by the registries' entries, which they replace whenever the client or the resource
  // changes: computed once per pair, not per token.
  const pairs = new WeakMap<CachedClient, WeakMap<ResourceRecord, Pair>>();
  const pairOf = (client: CachedClient, resource: ResourceRecord) => {
    let byResource = pairs.get(client);
    if (!byResource) {
      byResource = new WeakMap();
      pairs.set(client, byResource);
    }
    let pair = byResource.get(resource);
    if (!pair) {
      pair = createPair(client, resource);
      byResource.set(resource, pair);
    }
    return pair;
  };

  // oidc-provider silently drops requested scopes the resource does not grant; for client
  // credentials a request for a scope the client may not hold is an error (RFC 6749 §5.2).
  const clientCredentialsInfo = (ctx: KoaContextWithOIDC, pair: Pair) => {
    const refused = refusedScope(
      ctx.oidc.params?.scope,
      (s) => oidcScopes.has(s) || pair.allowedSet.has(s),
    );
    if (refused !== undefined) {
      throw new errors.InvalidScope('requested scope is not allowed', refused);
    }
    return pair.info;
  };

  const infoFor = async (
    ctx: KoaContextWithOIDC,
    pair: Pair | undefined,
  ): Promise<ResourceServerInfo> => {
    if (!pair?.permitted) {
      throw new errors.InvalidTarget('the resource is unknown or not allowed for this client');
    }
    if (ctx.oidc.params?.grant_type === 'client_credentials') {
      return clientCredentialsInfo(ctx, pair);
    }
    const { resource } = pair;
    if (resource.roleGatedScopes.length === 0) return pair.info;
    const userId = userOf(ctx);
    const held = new Set(
      userId ? (await roles.onResource(userId, resource.identifier)).scopes : [],
    );
    const gated = new Set(resource.roleGatedScopes);
    const allowed = pair.allowed.filter((s) => !gated.has(s) || held.has(s));
    return { ...pair.info, scope: allowed.join(' ') };
  };

  return {
    enabled: true,

    // Only client credentials must name a resource. A client allowed exactly one gets it by
    // default — for a browser flow only when it asks for API scopes, so a plain sign-in still
    // gets an access token for userinfo.
    async defaultResource(ctx: KoaContextWithOIDC) {
      const client = ctx.oidc.client ? await cachedClient(ctx.oidc.client.clientId) : undefined;
      const allowed = client?.record.resources ?? [];
      const clientCredentials = ctx.oidc.params?.grant_type === 'client_credentials';
      const wantsApi =
        clientCredentials ||
        String(ctx.oidc.params?.scope ?? '')
          .split(' ')
          .some((s) => s !== '' && !oidcScopes.has(s));
      if (allowed.length === 1 && wantsApi) return allowed[0];
      if (clientCredentials) {
        throw new errors.InvalidTarget(
          allowed.length === 0
            ? 'this client is not allowed any resource'
            : 'the resource parameter is required: this client is allowed several resources',
        );
      }
      return undefined;
    },

    // A client-credentials token of a cached client for a cached resource (every one but the
    // first) is answered without a promise of ours: oidc-provider awaits the answer either way.
    getResourceServerInfo(
      ctx: KoaContextWithOIDC,
      identifier: string,
      oidcClient: { clientId: string },
    ): ResourceServerInfo | Promise<ResourceServerInfo> {
      const client = clients.peek(oidcClient.clientId);
      const resource = resources.peek(identifier);
      if (client && resource) {
        const pair = pairOf(client, resource);
        if (pair.permitted && ctx.oidc.params?.grant_type === 'client_credentials') {
          return clientCredentialsInfo(ctx, pair);
        }
        return infoFor(ctx, pair);
      }
      return Promise.all([cachedClient(oidcClient.clientId), resources.get(identifier)]).then(
        ([loaded, record]) => infoFor(ctx, loaded && record ? pairOf(loaded, record) : undefined),
      );
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
