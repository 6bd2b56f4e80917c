import type { RoleDetail } from '@portcullis/auth-server';
import type { RoleRecord } from '@portcullis/storage';

/** A role in the CLI's JSON shape: its scopes as `{ resource, scope }` pairs. */
export function roleJson(role: RoleRecord) {
  return {
    name: role.name,
    description: role.description,
    scopes: role.scopes,
    created_at: role.createdAt.toISOString(),
  };
}

/** A role with its users (`show`, `delete`). */
export function roleDetailJson({ role, users }: RoleDetail) {
  return { ...roleJson(role), users: users.map((u) => ({ id: u.id, username: u.username })) };
}

/** The lines that describe a role's scopes, by resource, for human output. */
export function describeRoleScopes(role: RoleRecord): string[] {
  const byResource = new Map<string, string[]>();
  for (const { resource, scope } of role.scopes) {
    byResource.set(resource, [...(byResource.get(resource) ?? []), scope]);
  }
  return [...byResource].map(([resource, scopes]) => `    ${resource}: ${scopes.join(' ')}`);
}
