/** Where the admin REST API is served, below the issuer's origin (docs/admin-api.md). */
export const ADMIN_API_PATH = '/admin/v1';

/**
 * The admin API's resource identifier (RFC 8707): the audience of the access tokens it accepts.
 * A URN rather than the API's URL, so that tokens and clients survive a change of the issuer's
 * host or port.
 */
export const ADMIN_RESOURCE = 'urn:portcullis:admin';

/** The name the admin API's resource is registered under. */
export const ADMIN_RESOURCE_NAME = 'Portcullis admin API';

/** The admin API's scopes and what each allows, as the resource registers them. */
export const ADMIN_SCOPES = [
  { name: 'admin:read', description: 'Read the configuration and the audit trail' },
  { name: 'admin:write', description: 'Change clients, resources, grants and apply declarations' },
  { name: 'admin:keys', description: 'Rotate the signing keys' },
  { name: 'admin:users', description: 'Manage users: create, disable, unlock, roles' },
] as const;

/** One of {@link ADMIN_SCOPES}' names. */
export type AdminScope = (typeof ADMIN_SCOPES)[number]['name'];
