import type { Database } from '../database.ts';
import { isUniqueViolation, StorageError } from '../errors.ts';
import { notifyChange } from '../notifications.ts';

/** A registered OAuth client, as stored. */
export interface ClientRecord {
  id: string;
  name: string;
  grantTypes: string[];
  redirectUris: string[];
  scopes: string[];
  resources: string[];
  isPublic: boolean;
  firstParty: boolean;
  /** The client's homepage, shown on consent pages. */
  clientUri: string | null;
  /** The client's logo, shown on consent pages. */
  logoUri: string | null;
  disabledAt: Date | null;
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

/** What {@link ClientsRepository.create} needs. */
export interface NewClient {
  id: string;
  name: string;
  grantTypes: string[];
  redirectUris: string[];
  scopes: string[];
  resources: string[];
  isPublic: boolean;
  firstParty: boolean;
  clientUri?: string | null;
  logoUri?: string | null;
  secret?: { name: string; secretHash: string; expiresAt?: Date | null };
}

interface ClientRow {
  id: string;
  name: string;
  grant_types: string[];
  redirect_uris: string[];
  scopes: string[];
  resources: string[];
  is_public: boolean;
  first_party: boolean;
  client_uri: string | null;
  logo_uri: string | null;
  disabled_at: Date | null;
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

const toClient = (row: ClientRow): ClientRecord => ({
  id: row.id,
  name: row.name,
  grantTypes: row.grant_types,
  redirectUris: row.redirect_uris,
  scopes: row.scopes,
  resources: row.resources,
  isPublic: row.is_public,
  firstParty: row.first_party,
  clientUri: row.client_uri ?? null,
  logoUri: row.logo_uri ?? null,
  disabledAt: row.disabled_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toSecret = (row: SecretRow): ClientSecretRecord => ({
  id: String(row.id),
  clientId: row.client_id,
  name: row.name,
  secretHash: row.secret_hash,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  lastUsedAt: row.last_used_at,
});

/** Clients and their secrets. Every write announces the change to running servers. */
export function createClientsRepository(db: Database) {
  return {
    /**
     * Creates a client and its first secret in one transaction. Fails with `conflict` when the
     * name is taken (case-insensitively) and `invalid` when a resource is not registered.
     */
    async create(client: NewClient): Promise<ClientRecord> {
      try {
        return await db.transaction(async (trx) => {
          if (client.resources.length > 0) {
            const known = await trx('resources')
              .whereIn('identifier', client.resources)
              .pluck('identifier');
            const unknown = client.resources.filter((r) => !known.includes(r));
            if (unknown.length > 0) {
              throw new StorageError('invalid', `unknown resource: ${unknown.join(', ')}`);
            }
          }
          const [row] = await trx<ClientRow>('clients')
            .insert({
              id: client.id,
              name: client.name,
              grant_types: client.grantTypes,
              redirect_uris: client.redirectUris,
              scopes: client.scopes,
              resources: client.resources,
              is_public: client.isPublic,
              first_party: client.firstParty,
              client_uri: client.clientUri ?? null,
              logo_uri: client.logoUri ?? null,
            })
            .returning('*');
          if (client.secret) {
            await trx('client_secrets').insert({
              client_id: client.id,
              name: client.secret.name,
              secret_hash: client.secret.secretHash,
              expires_at: client.secret.expiresAt ?? null,
            });
          }
          await notifyChange(trx, { kind: 'client', id: client.id });
          return toClient(row as ClientRow);
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new StorageError('conflict', `a client named "${client.name}" already exists`, {
            cause: error,
          });
        }
        throw error;
      }
    },

    async findById(id: string): Promise<ClientRecord | undefined> {
      const row = await db<ClientRow>('clients').where({ id }).first();
      return row ? toClient(row) : undefined;
    },

    /** Finds by id, or by name ignoring case. */
    async findByIdOrName(idOrName: string): Promise<ClientRecord | undefined> {
      const row = await db<ClientRow>('clients')
        .where({ id: idOrName })
        .orWhereRaw('lower(name) = lower(?)', [idOrName])
        .first();
      return row ? toClient(row) : undefined;
    },

    async list(): Promise<ClientRecord[]> {
      const rows = await db<ClientRow>('clients').orderBy('created_at').orderBy('id');
      return rows.map(toClient);
    },

    /** Deletes the client, its secrets and every artifact issued to it. */
    async delete(id: string): Promise<boolean> {
      return db.transaction(async (trx) => {
        const deleted = await trx('clients').where({ id }).delete();
        if (deleted === 0) return false;
        await trx('oidc_artifacts').whereRaw(`payload->>'clientId' = ?`, [id]).delete();
        await notifyChange(trx, { kind: 'client', id });
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

    /** Records that a secret was used; at most once a minute per secret, to spare writes. */
    async touchSecret(secretId: string): Promise<void> {
      await db('client_secrets')
        .where({ id: secretId })
        .where((q) =>
          q.whereNull('last_used_at').orWhereRaw(`last_used_at < now() - interval '1 minute'`),
        )
        .update({ last_used_at: db.fn.now() });
    },
  };
}

/** The repository {@link createClientsRepository} returns. */
export type ClientsRepository = ReturnType<typeof createClientsRepository>;
