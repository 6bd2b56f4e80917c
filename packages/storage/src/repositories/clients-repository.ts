import type { Database } from '../database.ts';
import { isUniqueViolation, StorageError } from '../errors.ts';
import { notifyChange } from '../notifications.ts';
import { createAuditRepository, type NewAuditEvent } from './audit-repository.ts';
import { byNamePage, type NamePageQuery } from './name-page.ts';
import { useRegistrationToken } from './registration-tokens-repository.ts';
import { publishRevocations } from './revocations-repository.ts';

/**
 * How a client authenticates at the token endpoint: `none` (a public client),
 * `client_secret_basic` (its hashed secrets, sent by HTTP Basic or in the body) or
 * `private_key_jwt` (a client assertion signed by one of its keys, RFC 7523).
 */
export type TokenEndpointAuthMethod = 'none' | 'client_secret_basic' | 'private_key_jwt';

/** A client's public signing keys (RFC 7517 JWK Set), each member a string. */
export interface ClientJwks {
  keys: Array<Record<string, string>>;
}

/** What an operator sets on a client: everything but its id, secrets and timestamps. */
export interface ClientFields {
  name: string;
  grantTypes: string[];
  redirectUris: string[];
  /** Origins (`https://app.example.com`) a browser app may call the client endpoints from (CORS). */
  webOrigins: string[];
  /** Whether its access tokens must be bound to a DPoP key (RFC 9449): no proof, no token. */
  dpopBoundAccessTokens: boolean;
  /** Whether its authorization requests must be pushed first (RFC 9126): no PAR, no sign-in. */
  requirePushedAuthorizationRequests: boolean;
  /** Whether its users must pass a second factor to sign in to it (`--require-mfa`). */
  requireMfa: boolean;
  /** Where it receives OIDC Back-Channel Logout tokens; null: it gets none. */
  backchannelLogoutUri: string | null;
  /** Whether its logout tokens must carry the session id (`sid`). */
  backchannelLogoutSessionRequired: boolean;
  scopes: string[];
  resources: string[];
  /**
   * The resources it may exchange a user's access token for (RFC 8693), acting for the user:
   * the operator's delegation policy; empty: no token exchange.
   */
  mayExchangeFor: string[];
  isPublic: boolean;
  /** `none` exactly when the client is public. */
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** The public keys of a `private_key_jwt` client held here; null with `jwksUri` or no keys. */
  jwks: ClientJwks | null;
  /** Where a `private_key_jwt` client publishes its public keys; null with `jwks` or no keys. */
  jwksUri: string | null;
  firstParty: boolean;
  /** The client's homepage, shown on consent pages. */
  clientUri: string | null;
  /** The client's logo, shown on consent pages. */
  logoUri: string | null;
  /** Access-token lifetime in seconds; null: the resource's, else the server's default. */
  accessTokenTtl: number | null;
  /** Refresh-token lifetime in seconds; null: the server's default. */
  refreshTokenTtl: number | null;
}

/** How a client came to be: registered by an operator (CLI, apply), or dynamically (RFC 7591). */
export type RegisteredVia = 'operator' | 'dynamic';

/** A registered OAuth client, as stored. */
export interface ClientRecord extends ClientFields {
  id: string;
  registeredVia: RegisteredVia;
  /** The initial access token a dynamic client was registered with (null once it is deleted). */
  registrationTokenId: string | null;
  disabledAt: Date | null;
  /** When the client last authenticated or got a token (recorded at most once a minute). */
  lastUsedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One of a client's secrets: only its hash is ever stored. */
export interface ClientSecretRecord {
  id: string;
  clientId: string;
  name: string;
  secretHash: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

/** A secret to store: its name (unique per client) and hash. */
export interface NewClientSecret {
  name: string;
  secretHash: string;
  expiresAt?: Date | null;
}

/** What {@link ClientsRepository.create} needs. */
export interface NewClient
  extends Omit<
    ClientFields,
    | 'clientUri'
    | 'logoUri'
    | 'accessTokenTtl'
    | 'refreshTokenTtl'
    | 'webOrigins'
    | 'dpopBoundAccessTokens'
    | 'requirePushedAuthorizationRequests'
    | 'requireMfa'
    | 'backchannelLogoutUri'
    | 'backchannelLogoutSessionRequired'
    | 'tokenEndpointAuthMethod'
    | 'jwks'
    | 'jwksUri'
    | 'mayExchangeFor'
  > {
  id: string;
  mayExchangeFor?: string[];
  webOrigins?: string[];
  dpopBoundAccessTokens?: boolean;
  requirePushedAuthorizationRequests?: boolean;
  requireMfa?: boolean;
  backchannelLogoutUri?: string | null;
  backchannelLogoutSessionRequired?: boolean;
  /** Default: `none` for a public client, else `client_secret_basic`. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  jwks?: ClientJwks | null;
  jwksUri?: string | null;
  clientUri?: string | null;
  logoUri?: string | null;
  accessTokenTtl?: number | null;
  refreshTokenTtl?: number | null;
  secret?: NewClientSecret;
  /**
   * A dynamic registration (RFC 7591): the initial access token it uses up one use of, in the
   * same transaction (null for an open registration, which needs none), and the digest of the
   * client's registration access token (RFC 7592).
   */
  registration?: { tokenId: string | null; accessTokenHash: string };
}

/** A registration access token to replace, only if it is still the one presented (RFC 7592). */
export interface RegistrationAccessChange {
  expectedHash: string;
  nextHash: string;
}

/** Audit events to record in the same transaction as a write. */
export interface AuditOption {
  audit?: readonly NewAuditEvent[];
}

interface ClientRow {
  id: string;
  name: string;
  grant_types: string[];
  redirect_uris: string[];
  web_origins: string[];
  dpop_bound_access_tokens: boolean;
  require_pushed_authorization_requests: boolean;
  require_mfa: boolean;
  backchannel_logout_uri: string | null;
  backchannel_logout_session_required: boolean;
  scopes: string[];
  resources: string[];
  may_exchange_for: string[];
  is_public: boolean;
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  jwks: ClientJwks | null;
  jwks_uri: string | null;
  first_party: boolean;
  client_uri: string | null;
  logo_uri: string | null;
  access_token_ttl: number | null;
  refresh_token_ttl: number | null;
  registered_via: RegisteredVia;
  registration_token_id: string | null;
  registration_access_token_hash: string | null;
  disabled_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface SecretRow {
  id: string;
  client_id: string;
  name: string;
  secret_hash: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
}

const COLUMNS: Readonly<Record<keyof ClientFields, keyof ClientRow>> = {
  name: 'name',
  grantTypes: 'grant_types',
  redirectUris: 'redirect_uris',
  webOrigins: 'web_origins',
  dpopBoundAccessTokens: 'dpop_bound_access_tokens',
  requirePushedAuthorizationRequests: 'require_pushed_authorization_requests',
  requireMfa: 'require_mfa',
  backchannelLogoutUri: 'backchannel_logout_uri',
  backchannelLogoutSessionRequired: 'backchannel_logout_session_required',
  scopes: 'scopes',
  resources: 'resources',
  mayExchangeFor: 'may_exchange_for',
  isPublic: 'is_public',
  tokenEndpointAuthMethod: 'token_endpoint_auth_method',
  jwks: 'jwks',
  jwksUri: 'jwks_uri',
  firstParty: 'first_party',
  clientUri: 'client_uri',
  logoUri: 'logo_uri',
  accessTokenTtl: 'access_token_ttl',
  refreshTokenTtl: 'refresh_token_ttl',
};

const toClient = (row: ClientRow): ClientRecord => ({
  id: row.id,
  name: row.name,
  grantTypes: row.grant_types,
  redirectUris: row.redirect_uris,
  webOrigins: row.web_origins ?? [],
  dpopBoundAccessTokens: row.dpop_bound_access_tokens ?? false,
  requirePushedAuthorizationRequests: row.require_pushed_authorization_requests ?? false,
  requireMfa: row.require_mfa ?? false,
  backchannelLogoutUri: row.backchannel_logout_uri ?? null,
  backchannelLogoutSessionRequired: row.backchannel_logout_session_required ?? false,
  scopes: row.scopes,
  resources: row.resources,
  mayExchangeFor: row.may_exchange_for ?? [],
  isPublic: row.is_public,
  tokenEndpointAuthMethod:
    row.token_endpoint_auth_method ?? (row.is_public ? 'none' : 'client_secret_basic'),
  jwks: row.jwks ? { keys: row.jwks.keys.map(inNameOrder) } : null,
  jwksUri: row.jwks_uri ?? null,
  firstParty: row.first_party,
  clientUri: row.client_uri ?? null,
  logoUri: row.logo_uri ?? null,
  accessTokenTtl: row.access_token_ttl ?? null,
  refreshTokenTtl: row.refresh_token_ttl ?? null,
  registeredVia: row.registered_via ?? 'operator',
  registrationTokenId: row.registration_token_id ?? null,
  disabledAt: row.disabled_at,
  lastUsedAt: row.last_used_at ?? null,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

// jsonb keeps an object's members in its own order (shorter names first): read back in name order.
const inNameOrder = (key: Record<string, string>) =>
  Object.fromEntries(Object.entries(key).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

const toSecret = (row: SecretRow): ClientSecretRecord => ({
  id: String(row.id),
  clientId: row.client_id,
  name: row.name,
  secretHash: row.secret_hash,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  lastUsedAt: row.last_used_at,
});

// Fields to columns; undefined fields are left out (not changed).
function toColumns(fields: Partial<ClientFields>): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(COLUMNS)) {
    const value = fields[key as keyof ClientFields];
    // A JWK Set goes to jsonb as text: pg would send a JS array inside it as a PostgreSQL array.
    if (value !== undefined)
      columns[column] = column === 'jwks' && value ? JSON.stringify(value) : value;
  }
  return columns;
}

async function assertResourcesExist(db: Database, resources: readonly string[]): Promise<void> {
  if (resources.length === 0) return;
  const known = await db('resources').whereIn('identifier', resources).pluck('identifier');
  const unknown = resources.filter((r) => !known.includes(r));
  if (unknown.length > 0) {
    throw new StorageError('invalid', `unknown resource: ${unknown.join(', ')}`);
  }
}

async function insertSecret(
  db: Database,
  clientId: string,
  secret: NewClientSecret,
): Promise<SecretRow> {
  const [row] = await db<SecretRow>('client_secrets')
    .insert({
      client_id: clientId,
      name: secret.name,
      secret_hash: secret.secretHash,
      expires_at: secret.expiresAt ?? null,
    })
    .returning('*');
  return row as SecretRow;
}

async function recordAll(db: Database, events: readonly NewAuditEvent[] = []): Promise<void> {
  const audit = createAuditRepository(db);
  for (const event of events) await audit.record(event);
}

// Unique violations: a client name taken (any case), or a secret name the client already uses.
function conflict(error: unknown, names: { client?: string; secret?: string }): unknown {
  if (!isUniqueViolation(error)) return error;
  const constraint = String((error as { constraint?: unknown }).constraint ?? '');
  if (constraint === 'client_secrets_client_name_idx') {
    return new StorageError(
      'conflict',
      `the client already has a secret named "${names.secret ?? ''}"`,
      { cause: error },
    );
  }
  return new StorageError('conflict', `a client named "${names.client ?? ''}" already exists`, {
    cause: error,
  });
}

/**
 * Clients and their secrets. Every write that running servers must see announces the change
 * (LISTEN/NOTIFY) and records its audit events in the same transaction.
 *
 * @example
 * const clients = createClientsRepository(db);
 * await clients.setDisabled(id, true, { audit: [{ type: 'client.disabled', actor, clientId: id }] });
 */
export function createClientsRepository(db: Database) {
  return {
    /**
     * Creates a client and its first secret in one transaction. Fails with `conflict` when the
     * name is taken (case-insensitively) and `invalid` when a resource is not registered. A
     * dynamic registration also uses up one use of its initial access token, or fails with
     * `not_found` when the token is no longer live (revoked, expired or used up meanwhile).
     */
    async create(client: NewClient, options: AuditOption = {}): Promise<ClientRecord> {
      try {
        return await db.transaction(async (trx) => {
          const { registration } = client;
          if (registration?.tokenId && !(await useRegistrationToken(trx, registration.tokenId))) {
            throw new StorageError('not_found', 'the initial access token is no longer valid');
          }
          await assertResourcesExist(trx, client.resources);
          await assertResourcesExist(trx, client.mayExchangeFor ?? []);
          const [row] = await trx<ClientRow>('clients')
            .insert({
              id: client.id,
              ...(registration
                ? {
                    registered_via: 'dynamic',
                    registration_token_id: registration.tokenId,
                    registration_access_token_hash: registration.accessTokenHash,
                  }
                : {}),
              ...toColumns({
                ...client,
                webOrigins: client.webOrigins ?? [],
                mayExchangeFor: client.mayExchangeFor ?? [],
                tokenEndpointAuthMethod:
                  client.tokenEndpointAuthMethod ??
                  (client.isPublic ? 'none' : 'client_secret_basic'),
                jwks: client.jwks ?? null,
                jwksUri: client.jwksUri ?? null,
                clientUri: client.clientUri ?? null,
                logoUri: client.logoUri ?? null,
                accessTokenTtl: client.accessTokenTtl ?? null,
                refreshTokenTtl: client.refreshTokenTtl ?? null,
              }),
            })
            .returning('*');
          if (client.secret) await insertSecret(trx, client.id, client.secret);
          await recordAll(trx, options.audit);
          await notifyChange(trx, { kind: 'client', id: client.id });
          return toClient(row as ClientRow);
        });
      } catch (error) {
        throw conflict(error, { client: client.name, secret: client.secret?.name });
      }
    },

    /**
     * Changes the given fields; undefined when the client does not exist. `removeSecrets`
     * deletes every secret (a client turned public) and `addSecret` stores a new one (a client
     * turned confidential), in the same transaction. `registrationAccess` replaces the client's
     * registration access token digest, and the update happens only if the stored one is still
     * the expected one (undefined otherwise: another update rotated it first).
     */
    async update(
      id: string,
      fields: Partial<ClientFields>,
      options: AuditOption & {
        addSecret?: NewClientSecret;
        removeSecrets?: boolean;
        registrationAccess?: RegistrationAccessChange;
      } = {},
    ): Promise<ClientRecord | undefined> {
      const access = options.registrationAccess;
      try {
        return await db.transaction(async (trx) => {
          if (fields.resources) await assertResourcesExist(trx, fields.resources);
          if (fields.mayExchangeFor) await assertResourcesExist(trx, fields.mayExchangeFor);
          const [row] = await trx<ClientRow>('clients')
            .where({ id })
            .modify((q) => {
              if (access) q.where('registration_access_token_hash', access.expectedHash);
            })
            .update({
              ...toColumns(fields),
              ...(access ? { registration_access_token_hash: access.nextHash } : {}),
              updated_at: trx.fn.now(),
            })
            .returning('*');
          if (!row) return undefined;
          if (options.removeSecrets) await trx('client_secrets').where({ client_id: id }).delete();
          if (options.addSecret) await insertSecret(trx, id, options.addSecret);
          await recordAll(trx, options.audit);
          await notifyChange(trx, { kind: 'client', id });
          return toClient(row as ClientRow);
        });
      } catch (error) {
        throw conflict(error, { client: fields.name, secret: options.addSecret?.name });
      }
    },

    /**
     * Disables or enables the client; undefined when it does not exist. Disabling twice keeps
     * the first time. Grants and tokens stay stored (enabling brings them back); the servers
     * refuse everything a disabled client asks for.
     */
    async setDisabled(
      id: string,
      disabled: boolean,
      options: AuditOption = {},
    ): Promise<ClientRecord | undefined> {
      return db.transaction(async (trx) => {
        const [row] = await trx<ClientRow>('clients')
          .where({ id })
          .update({
            disabled_at: disabled ? trx.raw('coalesce(disabled_at, now())') : null,
            updated_at: trx.fn.now(),
          })
          .returning('*');
        if (!row) return undefined;
        await recordAll(trx, options.audit);
        await notifyChange(trx, { kind: 'client', id });
        // Its JWT access tokens are not stored: APIs following the revocation feed refuse them.
        if (disabled) await publishRevocations(trx, [{ kind: 'client', value: id }]);
        return toClient(row as ClientRow);
      });
    },

    /** The digest of a dynamic client's registration access token; undefined for any other. */
    async registrationAccessTokenHash(id: string): Promise<string | undefined> {
      const row = await db('clients')
        .where({ id })
        .whereNotNull('registration_access_token_hash')
        .first('registration_access_token_hash');
      return row?.registration_access_token_hash as string | undefined;
    },

    async findById(id: string): Promise<ClientRecord | undefined> {
      const row = await db<ClientRow>('clients').where({ id }).first();
      return row ? toClient(row) : undefined;
    },

    /**
     * Locks the client's row until the transaction `db` ends (`SELECT ... FOR UPDATE`), so that
     * a change checked against what was read cannot interleave with another such change: the
     * second waits, then reads the first's result. Only inside a transaction. `false`: no such
     * client.
     */
    async lockForChange(id: string): Promise<boolean> {
      const row = await db('clients').where({ id }).forUpdate().first('id');
      return row !== undefined;
    },

    /**
     * Finds by id, or by name ignoring case. An id wins over a name: a client (one registered
     * dynamically, say) named like another client's id never stands in for that client.
     */
    async findByIdOrName(idOrName: string): Promise<ClientRecord | undefined> {
      const row = await db<ClientRow>('clients')
        .where({ id: idOrName })
        .orWhereRaw('lower(name) = lower(?)', [idOrName])
        .orderByRaw('(id = ?) desc', [idOrName])
        .first();
      return row ? toClient(row) : undefined;
    },

    async list(): Promise<ClientRecord[]> {
      const rows = await db<ClientRow>('clients').orderBy('created_at').orderBy('id');
      return rows.map(toClient);
    },

    /** A page of clients by name, then id (see byNamePage), searched by name or id; only those `registeredVia` so. */
    async listPage(
      page: NamePageQuery & { registeredVia?: RegisteredVia },
    ): Promise<ClientRecord[]> {
      const query = db<ClientRow>('clients');
      if (page.registeredVia) query.where({ registered_via: page.registeredVia });
      return (await byNamePage(query, 'name', 'id', page)).map(toClient);
    },

    /**
     * Deletes the client, its secrets and every artifact issued to it (grants, codes, refresh
     * and opaque access tokens); false when the client does not exist. `audit` gets how many
     * artifacts went.
     */
    async delete(
      id: string,
      options: { audit?: (revokedArtifacts: number) => NewAuditEvent[] } = {},
    ): Promise<boolean> {
      return db.transaction(async (trx) => {
        const deleted = await trx('clients').where({ id }).delete();
        if (deleted === 0) return false;
        const revoked = await trx('oidc_artifacts')
          .whereRaw(`payload->>'clientId' = ?`, [id])
          .delete();
        await recordAll(trx, options.audit?.(revoked));
        await notifyChange(trx, { kind: 'client', id });
        await publishRevocations(trx, [{ kind: 'client', value: id }]);
        return true;
      });
    },

    /** The client's secrets, newest first, including expired ones. */
    async secrets(clientId: string): Promise<ClientSecretRecord[]> {
      const rows = await db<SecretRow>('client_secrets')
        .where({ client_id: clientId })
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc');
      return rows.map(toSecret);
    },

    /**
     * Adds a secret and, with `expireOthersInSeconds`, makes every other live secret expire at
     * most that many seconds from now (0: now), in one transaction. `audit` gets the secrets
     * whose expiry changed, to describe them. Fails with `conflict` when the name is taken.
     */
    async addSecret(
      clientId: string,
      secret: NewClientSecret,
      options: {
        expireOthersInSeconds?: number;
        audit?: (added: ClientSecretRecord, expired: ClientSecretRecord[]) => NewAuditEvent[];
      } = {},
    ): Promise<{ added: ClientSecretRecord; expired: ClientSecretRecord[] }> {
      try {
        return await db.transaction(async (trx) => {
          const added = toSecret(await insertSecret(trx, clientId, secret));
          let expired: ClientSecretRecord[] = [];
          if (options.expireOthersInSeconds !== undefined) {
            const at = trx.raw('now() + make_interval(secs => ?)', [options.expireOthersInSeconds]);
            const rows = await trx<SecretRow>('client_secrets')
              .where({ client_id: clientId })
              .whereNot({ id: added.id })
              .where((q) => {
                q.whereNull('expires_at').orWhere('expires_at', '>', at);
              })
              // LEAST ignores NULL: a secret without expiry gets exactly `at`.
              .update({ expires_at: trx.raw('least(expires_at, ?)', [at]) })
              .returning('*');
            expired = rows.map(toSecret);
          }
          await recordAll(trx, options.audit?.(added, expired));
          await notifyChange(trx, { kind: 'client', id: clientId });
          return { added, expired };
        });
      } catch (error) {
        throw conflict(error, { secret: secret.name });
      }
    },

    /**
     * Deletes the client's secret named `secret.name` (and, when given, with exactly `secret.id`,
     * so a caller that looked at one secret never deletes another that took its name meanwhile)
     * in one transaction with its audit events; undefined when there is no such secret.
     */
    async removeSecret(
      clientId: string,
      secret: { name: string; id?: string },
      options: { audit?: (removed: ClientSecretRecord) => NewAuditEvent[] } = {},
    ): Promise<ClientSecretRecord | undefined> {
      return db.transaction(async (trx) => {
        const [row] = await trx<SecretRow>('client_secrets')
          .where({ client_id: clientId, name: secret.name })
          .modify((q) => {
            if (secret.id !== undefined) q.where({ id: secret.id });
          })
          .delete()
          .returning('*');
        if (!row) return undefined;
        const removed = toSecret(row as SecretRow);
        await recordAll(trx, options.audit?.(removed));
        await notifyChange(trx, { kind: 'client', id: clientId });
        return removed;
      });
    },

    /** Records that a secret was used; at most once a minute per secret, to spare writes. */
    async touchSecret(secretId: string): Promise<void> {
      await db('client_secrets')
        .where({ id: secretId })
        .where((q) => {
          q.whereNull('last_used_at').orWhereRaw(`last_used_at < now() - interval '1 minute'`);
        })
        .update({ last_used_at: db.fn.now() });
    },

    /**
     * Records that the client was used; at most once a minute per client. Not announced:
     * servers do not need it, and it must not empty their caches.
     */
    async touchClient(clientId: string): Promise<void> {
      await db('clients')
        .where({ id: clientId })
        .where((q) => {
          q.whereNull('last_used_at').orWhereRaw(`last_used_at < now() - interval '1 minute'`);
        })
        .update({ last_used_at: db.fn.now() });
    },
  };
}

/** The repository {@link createClientsRepository} returns. */
export type ClientsRepository = ReturnType<typeof createClientsRepository>;
