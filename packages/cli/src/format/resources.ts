import { formatDuration } from '@portcullis/auth-server/config';
import type { ResourceRecord } from '@portcullis/storage';

/** A resource in the CLI's JSON shape for lists (`access_token_ttl` in seconds). */
export function resourceJson(resource: ResourceRecord) {
  return {
    identifier: resource.identifier,
    name: resource.name,
    access_token_ttl: resource.accessTokenTtl,
    access_token_format: resource.accessTokenFormat,
    scopes: resource.scopes,
  };
}

/**
 * One resource in full (`show`, `create`, `update`): the list shape plus its introspection clients
 * and roles settings.
 */
export function resourceDetailJson(resource: ResourceRecord) {
  return {
    ...resourceJson(resource),
    introspection_clients: resource.introspectionClients,
    role_gated_scopes: resource.roleGatedScopes,
    roles_claim: resource.rolesClaim,
  };
}

/** The lines that describe a resource's settings and scopes, for human output. */
export function describeResource(resource: ResourceRecord): string[] {
  return [
    `  access tokens: ${resource.accessTokenFormat}, ${formatDuration(resource.accessTokenTtl)}`,
    `  introspection clients: ${resource.introspectionClients.join(', ') || '-'}`,
    `  roles claim: ${resource.rolesClaim ? 'yes' : 'no'}`,
    '  scopes:',
    ...(resource.scopes.length === 0
      ? ['    (none)']
      : resource.scopes.map(
          (s) =>
            `    ${s.name}: ${s.description}${resource.roleGatedScopes.includes(s.name) ? ' (role-gated)' : ''}`,
        )),
  ];
}
