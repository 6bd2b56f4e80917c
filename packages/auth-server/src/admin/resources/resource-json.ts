import type { ResourceRecord } from '@portcullis/storage';

/**
 * A resource as the admin API shows it: the shape of `resources show --json` (lifetime in
 * seconds), without the clients allowed it.
 *
 * @example
 * resourceJson(resource); // { identifier, name, access_token_ttl, scopes, ... }
 */
export function resourceJson(resource: ResourceRecord) {
  return {
    identifier: resource.identifier,
    name: resource.name,
    access_token_ttl: resource.accessTokenTtl,
    access_token_format: resource.accessTokenFormat,
    scopes: resource.scopes.map((s) => ({ name: s.name, description: s.description })),
    introspection_clients: resource.introspectionClients,
    role_gated_scopes: resource.roleGatedScopes,
    roles_claim: resource.rolesClaim,
    created_at: resource.createdAt.toISOString(),
  };
}
