import type { UserResourceRoles } from '@portcullis/storage';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ResourceRegistry } from '../registry/resource-registry.ts';

/** What the provider reads of a user's roles (storage's roles repository has it). */
export interface UserRoles {
  onResource(userId: string, resource: string): Promise<UserResourceRoles>;
}

/** The parts of an access token {@link createRolesClaim} reads. */
interface IssuedToken {
  accountId?: string;
  resourceServer?: { identifier(): string };
}

/**
 * oidc-provider's `extraTokenClaims`: a `roles` claim in the user's access tokens for a resource
 * registered with `--roles-claim`, listing the user's roles that hold scopes of that resource (by
 * name; an empty list when none do, so an API can tell "no roles" from "claim off"). Roles of
 * other resources are not named. Client-credentials tokens have no user and get no claim. Read
 * at every issue, a refresh included.
 *
 * @example
 * const configuration = { extraTokenClaims: createRolesClaim(resources, rolesRepository) };
 */
export function createRolesClaim(resources: ResourceRegistry, roles: UserRoles) {
  return async (
    _ctx: KoaContextWithOIDC,
    token: unknown,
  ): Promise<{ roles: string[] } | undefined> => {
    const { accountId, resourceServer } = token as IssuedToken;
    if (!accountId || !resourceServer) return undefined;
    const identifier = resourceServer.identifier();
    const resource = await resources.get(identifier);
    if (!resource?.rolesClaim) return undefined;
    return { roles: (await roles.onResource(accountId, identifier)).roles };
  };
}
