import {
  createClientsRepository,
  createRolesRepository,
  type Database,
  lockTransaction,
} from '@portcullis/storage';
import { ADMIN_RESOURCE, ADMIN_SCOPES } from '../domain/admin-api.ts';
import {
  CONSOLE_CALLBACK_PATH,
  CONSOLE_CLIENT_NAME,
  CONSOLE_ROLE,
} from '../domain/admin-console.ts';
import { ADMIN_RESOURCE_LOCK, seedAdminResource } from './admin-client.ts';
import type { ChangeOptions } from './change-options.ts';
import { CLIENT_TTL_LIMITS, createClientsService } from './clients-service.ts';
import { createResourcesService } from './resources-service.ts';
import { createRolesService } from './roles-service.ts';

/** How the console's client is registered: where it is served, and whether it needs MFA. */
export interface SeedAdminConsoleInput {
  issuer: string;
  /** Whether its sign-ins must pass a second factor (`--require-mfa`). */
  requireMfa: boolean;
  /**
   * The console sessions' absolute lifetime in seconds: the refresh tokens the console gets live
   * no longer (and at least the minute a client's refresh tokens must).
   */
  maxSessionSeconds: number;
}

const ADMIN_SCOPE_NAMES = ADMIN_SCOPES.map((s) => s.name);
const CONSOLE_SCOPES = ['openid', ...ADMIN_SCOPE_NAMES];
// Refresh tokens (rotated, as every client's) renew the operator's access token while they work.
const CONSOLE_GRANTS = ['authorization_code', 'refresh_token'];

/**
 * Makes the server ready for the admin console, idempotently and in one transaction (under the
 * lock `admin create-client` takes, so that servers starting together, or a `serve --workers`,
 * register everything once):
 * - the admin API's resource with its four scopes ({@link seedAdminResource}), each of them
 *   role-gated, so that a user gets an admin scope only through a role that holds it (clients'
 *   own client-credentials tokens are not affected by the gate);
 * - the role {@link CONSOLE_ROLE} with the four scopes, unless a role of that name exists (an
 *   operator's narrowing is kept);
 * - the console's client {@link CONSOLE_CLIENT_NAME}: first-party, public (authorization code
 *   with PKCE, and refresh tokens living at most a console session's lifetime), redirect URI the
 *   issuer's `/admin/callback`, resource `urn:portcullis:admin`, scopes `openid` and the admin
 *   scopes; a later start with another issuer, MFA setting or session lifetime brings its
 *   redirect URI, `require_mfa`, grants and refresh-token lifetime up to date.
 * Returns the client's id.
 *
 * @example
 * const { clientId } = await seedAdminConsole(db, { issuer, requireMfa: true, maxSessionSeconds: 36_000 }, { actor: 'system:console' });
 */
export async function seedAdminConsole(
  db: Database,
  input: SeedAdminConsoleInput,
  options: ChangeOptions = {},
): Promise<{ clientId: string }> {
  return db.transaction(async (trx) => {
    await lockTransaction(trx, ADMIN_RESOURCE_LOCK);
    await seedAdminResource(trx, options);
    const resources = createResourcesService(trx);
    const resource = await resources.find(ADMIN_RESOURCE);
    const ungated = ADMIN_SCOPE_NAMES.filter((s) => !resource?.roleGatedScopes.includes(s));
    if (ungated.length > 0) {
      await resources.update(ADMIN_RESOURCE, { gateScopes: ungated }, options);
    }
    const roles = await createRolesRepository(trx).list();
    if (!roles.some((role) => role.name.toLowerCase() === CONSOLE_ROLE)) {
      await createRolesService(trx).create(
        {
          name: CONSOLE_ROLE,
          description: 'Operators of the admin console: every admin scope',
          scopes: [`${ADMIN_RESOURCE} ${ADMIN_SCOPE_NAMES.join(' ')}`],
        },
        options,
      );
    }
    return { clientId: await consoleClient(trx, input, options) };
  });
}

async function consoleClient(
  trx: Database,
  { issuer, requireMfa, maxSessionSeconds }: SeedAdminConsoleInput,
  options: ChangeOptions,
): Promise<string> {
  const redirectUri = new URL(CONSOLE_CALLBACK_PATH, issuer).href;
  const refreshTokenTtl = Math.max(CLIENT_TTL_LIMITS.refreshToken.min, maxSessionSeconds);
  const clients = createClientsService(trx);
  const named = (await createClientsRepository(trx).list()).find(
    (client) => client.name.toLowerCase() === CONSOLE_CLIENT_NAME.toLowerCase(),
  );
  if (!named) {
    const { client } = await clients.create(
      {
        name: CONSOLE_CLIENT_NAME,
        grants: CONSOLE_GRANTS,
        refreshTokenTtl,
        redirectUris: [redirectUri],
        public: true,
        firstParty: true,
        requireMfa,
        resources: [ADMIN_RESOURCE],
        scopes: CONSOLE_SCOPES,
      },
      options,
    );
    return client.id;
  }
  const current =
    named.redirectUris.length === 1 &&
    named.redirectUris[0] === redirectUri &&
    named.requireMfa === requireMfa &&
    named.refreshTokenTtl === refreshTokenTtl &&
    CONSOLE_GRANTS.every((grant) => named.grantTypes.includes(grant));
  if (!current) {
    await clients.update(
      named.id,
      { redirectUris: [redirectUri], requireMfa, grants: CONSOLE_GRANTS, refreshTokenTtl },
      options,
    );
  }
  return named.id;
}
