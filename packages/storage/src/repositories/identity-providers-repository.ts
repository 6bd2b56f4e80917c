import type { Database } from '../database.ts';
import { isUniqueViolation, StorageError } from '../errors.ts';
import { notifyChange } from '../notifications.ts';

/** How Portcullis talks to a provider: OpenID Connect with discovery, or GitHub's OAuth 2. */
export type IdentityProviderKind = 'oidc' | 'github';

/** Another identity provider users may sign in with, as stored. */
export interface IdentityProviderRecord {
  id: string;
  name: string;
  kind: IdentityProviderKind;
  /** OpenID Connect: the issuer (discovered at sign-in); GitHub: null. */
  issuer: string | null;
  /** GitHub: where to send the browser, where to redeem the code, and its REST API. */
  authorizationEndpoint: string | null;
  tokenEndpoint: string | null;
  apiUrl: string | null;
  clientId: string;
  /** The client secret, encrypted under the key-encryption key; never shown. */
  clientSecretEncrypted: string;
  scope: string;
  /** Just-in-time creation of a user at the first sign-in of an unknown upstream account. */
  jit: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** What {@link IdentityProvidersRepository.create} stores. */
export type NewIdentityProvider = Omit<IdentityProviderRecord, 'createdAt' | 'updatedAt'>;

/** The columns {@link IdentityProvidersRepository.update} may change. */
export type IdentityProviderChanges = Partial<
  Omit<IdentityProviderRecord, 'id' | 'kind' | 'createdAt' | 'updatedAt'>
>;

/** A link from a provider's subject to one of our users, as stored. */
export interface IdentityProviderLinkRecord {
  providerId: string;
  upstreamSub: string;
  userId: string;
  createdAt: Date;
}

interface ProviderRow {
  id: string;
  name: string;
  kind: IdentityProviderKind;
  issuer: string | null;
  authorization_endpoint: string | null;
  token_endpoint: string | null;
  api_url: string | null;
  client_id: string;
  client_secret_encrypted: string;
  scope: string;
  jit: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS: Record<keyof IdentityProviderChanges, keyof ProviderRow> = {
  name: 'name',
  issuer: 'issuer',
  authorizationEndpoint: 'authorization_endpoint',
  tokenEndpoint: 'token_endpoint',
  apiUrl: 'api_url',
  clientId: 'client_id',
  clientSecretEncrypted: 'client_secret_encrypted',
  scope: 'scope',
  jit: 'jit',
};

const toProvider = (row: ProviderRow): IdentityProviderRecord => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  issuer: row.issuer,
  authorizationEndpoint: row.authorization_endpoint,
  tokenEndpoint: row.token_endpoint,
  apiUrl: row.api_url,
  clientId: row.client_id,
  clientSecretEncrypted: row.client_secret_encrypted,
  scope: row.scope,
  jit: row.jit,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const nameTaken = (name: string, cause: unknown) =>
  new StorageError('conflict', `an identity provider named "${name}" already exists`, { cause });

// Servers keep the list of providers for the login page: each change tells them (in the
// transaction's commit, when `db` is one).
const changed = (db: Database, id: string) => notifyChange(db, { kind: 'identity_provider', id });

/**
 * Identity providers and the links of their accounts to our users. Every change of a provider
 * is announced (`notifyChange`, kind `identity_provider`).
 */
export function createIdentityProvidersRepository(db: Database) {
  const PROVIDERS = 'identity_providers';
  const LINKS = 'identity_provider_links';
  return {
    /** Stores a provider; `conflict` when its name is taken in any case. */
    async create(provider: NewIdentityProvider): Promise<IdentityProviderRecord> {
      const row: Partial<ProviderRow> = { id: provider.id, kind: provider.kind };
      for (const [key, column] of Object.entries(COLUMNS)) {
        (row as Record<string, unknown>)[column] = provider[key as keyof IdentityProviderChanges];
      }
      try {
        const [stored] = await db<ProviderRow>(PROVIDERS).insert(row).returning('*');
        await changed(db, provider.id);
        return toProvider(stored as ProviderRow);
      } catch (error) {
        if (isUniqueViolation(error)) throw nameTaken(provider.name, error);
        throw error;
      }
    },

    /** The provider with this id, or else with this name (any case). */
    async find(idOrName: string): Promise<IdentityProviderRecord | undefined> {
      const row =
        (await db<ProviderRow>(PROVIDERS).where({ id: idOrName }).first()) ??
        (await db<ProviderRow>(PROVIDERS).whereRaw('lower(name) = lower(?)', [idOrName]).first());
      return row ? toProvider(row) : undefined;
    },

    /** Every provider, by name. */
    async list(): Promise<IdentityProviderRecord[]> {
      const rows = await db<ProviderRow>(PROVIDERS).orderByRaw('lower(name)').orderBy('id');
      return rows.map(toProvider);
    },

    /** Changes the given columns; undefined when the provider is gone. */
    async update(
      id: string,
      changes: IdentityProviderChanges,
    ): Promise<IdentityProviderRecord | undefined> {
      const row: Record<string, unknown> = { updated_at: db.fn.now() };
      for (const [key, value] of Object.entries(changes)) {
        if (value !== undefined) row[COLUMNS[key as keyof IdentityProviderChanges]] = value;
      }
      try {
        const [stored] = await db<ProviderRow>(PROVIDERS).where({ id }).update(row).returning('*');
        if (stored) await changed(db, id);
        return stored ? toProvider(stored as ProviderRow) : undefined;
      } catch (error) {
        if (isUniqueViolation(error)) throw nameTaken(String(changes.name), error);
        throw error;
      }
    },

    /** Deletes the provider and its links; false when it was gone. */
    async delete(id: string): Promise<boolean> {
      const deleted = (await db(PROVIDERS).where({ id }).delete()) > 0;
      if (deleted) await changed(db, id);
      return deleted;
    },

    /** How many of our users are linked to the provider. */
    async countLinks(providerId: string): Promise<number> {
      const [row] = await db(LINKS).where({ provider_id: providerId }).count({ n: '*' });
      return Number(row?.n ?? 0);
    },

    /** The user linked to this upstream subject, if any. */
    async findLink(
      providerId: string,
      upstreamSub: string,
    ): Promise<IdentityProviderLinkRecord | undefined> {
      const row = await db(LINKS)
        .where({ provider_id: providerId, upstream_sub: upstreamSub })
        .first();
      return row
        ? {
            providerId: row.provider_id,
            upstreamSub: row.upstream_sub,
            userId: row.user_id,
            createdAt: row.created_at,
          }
        : undefined;
    },

    /**
     * Ids of the enabled users whose e-mail is `email` (any case) and who have no account of
     * this provider linked yet.
     */
    async unlinkedUsersWithEmail(providerId: string, email: string): Promise<string[]> {
      const rows = await db('users')
        .whereRaw('lower(email) = lower(?)', [email])
        .whereNull('disabled_at')
        .whereNotExists(
          db(LINKS).where({ provider_id: providerId }).whereRaw('user_id = users.id').select(1),
        )
        .select('id')
        .limit(2);
      return rows.map((row: { id: string }) => row.id);
    },

    /** The user's links, one per provider, oldest first. */
    async linksOfUser(userId: string): Promise<IdentityProviderLinkRecord[]> {
      const rows = await db(LINKS).where({ user_id: userId }).orderBy('created_at');
      return rows.map(
        (row: {
          provider_id: string;
          upstream_sub: string;
          user_id: string;
          created_at: Date;
        }) => ({
          providerId: row.provider_id,
          upstreamSub: row.upstream_sub,
          userId: row.user_id,
          createdAt: row.created_at,
        }),
      );
    },

    /** Removes the user's link to the provider; false when there was none. */
    async unlink(providerId: string, userId: string): Promise<boolean> {
      return (await db(LINKS).where({ provider_id: providerId, user_id: userId }).delete()) > 0;
    },

    /**
     * Links the upstream subject to the user; `conflict` when that subject is linked already, or
     * the user is linked to another account of the same provider.
     */
    async link(providerId: string, upstreamSub: string, userId: string): Promise<void> {
      try {
        await db(LINKS).insert({
          provider_id: providerId,
          upstream_sub: upstreamSub,
          user_id: userId,
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new StorageError(
            'conflict',
            'this account is already linked to another account of the provider',
            { cause: error },
          );
        }
        throw error;
      }
    },
  };
}

/** The repository {@link createIdentityProvidersRepository} returns. */
export type IdentityProvidersRepository = ReturnType<typeof createIdentityProvidersRepository>;
