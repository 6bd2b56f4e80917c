import { type Database, lockTransaction } from '@portcullis/storage';
import { ADMIN_RESOURCE, ADMIN_RESOURCE_NAME, ADMIN_SCOPES } from '../domain/admin-api.ts';
import { AuthServerError } from '../errors.ts';
import type { ChangeOptions } from './change-options.ts';
import { type CreatedClient, createClientsService } from './clients-service.ts';
import { createResourcesService } from './resources-service.ts';

/** What `admin create-client` registers. */
export interface CreateAdminClientInput {
  name: string;
  /** Admin scopes it may request; default `admin:read`. */
  scopes?: readonly string[];
  /** `client_secret_basic` (default) or `private_key_jwt`, as for `clients create`. */
  authMethod?: string;
  /** A `private_key_jwt` client's public keys (a JWK Set); or `jwksUri`. */
  jwks?: unknown;
  jwksUri?: string;
  /** Whether its access tokens must be bound to a DPoP key (RFC 9449). */
  dpopBoundAccessTokens?: boolean;
}

/** The transaction lock under which the admin resource (and the console's client) is registered. */
export const ADMIN_RESOURCE_LOCK = 'portcullis.admin_resource';

/**
 * Registers the admin API's resource (`urn:portcullis:admin` with its four scopes) unless it is
 * registered already; `true` when it was registered now. A scope an earlier version did not
 * define is added, so an upgrade keeps working without a migration.
 *
 * @example
 * await seedAdminResource(db, { actor: 'cli:alice' });
 */
export async function seedAdminResource(
  db: Database,
  options: ChangeOptions = {},
): Promise<boolean> {
  const resources = createResourcesService(db);
  const current = await resources.find(ADMIN_RESOURCE);
  if (!current) {
    await resources.create(
      { identifier: ADMIN_RESOURCE, name: ADMIN_RESOURCE_NAME, scopes: [...ADMIN_SCOPES] },
      options,
    );
    return true;
  }
  const missing = ADMIN_SCOPES.filter((s) => !current.scopes.some((c) => c.name === s.name));
  if (missing.length > 0) {
    await resources.update(ADMIN_RESOURCE, { putScopes: [...missing] }, options);
  }
  return false;
}

/**
 * Registers a client of the admin API in one transaction: the admin resource first (when it is
 * not yet registered), then a first-party confidential client with the client_credentials grant,
 * that resource and the given admin scopes, validated exactly as `clients create` validates.
 * What `portcullis admin create-client` runs: the first admin client can only come from the
 * CLI, since the API itself needs one.
 *
 * @example
 * const { client, clientSecret } = await createAdminClient(db, {
 *   name: 'terraform',
 *   scopes: ['admin:read', 'admin:write'],
 * }, { actor: 'cli:alice' });
 */
export async function createAdminClient(
  db: Database,
  input: CreateAdminClientInput,
  options: ChangeOptions = {},
): Promise<CreatedClient> {
  const scopes = input.scopes ?? ['admin:read'];
  for (const [index, scope] of scopes.entries()) {
    if (!ADMIN_SCOPES.some((s) => s.name === scope)) {
      throw new AuthServerError(
        'invalid_input',
        `"${scope}" is not an admin scope (${ADMIN_SCOPES.map((s) => s.name).join(', ')})`,
        { field: 'scopes', index, value: scope },
      );
    }
  }
  return db.transaction(async (trx) => {
    // Two first runs at once would both find no admin resource and both create it: one waits.
    await lockTransaction(trx, ADMIN_RESOURCE_LOCK);
    await seedAdminResource(trx, options);
    return createClientsService(trx).create(
      {
        name: input.name,
        grants: ['client_credentials'],
        resources: [ADMIN_RESOURCE],
        scopes,
        firstParty: true,
        dpopBoundAccessTokens: input.dpopBoundAccessTokens ?? false,
        ...(input.authMethod !== undefined ? { authMethod: input.authMethod } : {}),
        ...(input.jwks !== undefined ? { jwks: input.jwks } : {}),
        ...(input.jwksUri !== undefined ? { jwksUri: input.jwksUri } : {}),
      },
      options,
    );
  });
}
