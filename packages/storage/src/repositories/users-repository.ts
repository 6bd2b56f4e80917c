import type { Database } from '../database.ts';
import { isUniqueViolation, StorageError } from '../errors.ts';

/** An end user, as stored. */
export interface UserRecord {
  id: string;
  username: string;
  /** An argon2id PHC string; never shown to anyone. */
  passwordHash: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What {@link UsersRepository.create} needs. */
export interface NewUser {
  id: string;
  username: string;
  passwordHash: string;
  email?: string | null;
  emailVerified?: boolean;
  name?: string | null;
}

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  email: string | null;
  email_verified: boolean;
  name: string | null;
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const toUser = (row: UserRow): UserRecord => ({
  id: row.id,
  username: row.username,
  passwordHash: row.password_hash,
  email: row.email,
  emailVerified: row.email_verified,
  name: row.name,
  disabledAt: row.disabled_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/**
 * Deletes every oidc-provider artifact issued to the user: sessions, grants, authorization codes,
 * refresh and opaque access tokens all carry `accountId` in their payload. Without this a
 * disabled or deleted user's refresh tokens would keep minting access tokens.
 */
async function revokeArtifacts(db: Database, userId: string): Promise<void> {
  await db('oidc_artifacts').whereRaw(`payload->>'accountId' = ?`, [userId]).delete();
}

/** End users. Usernames are unique and looked up regardless of case. */
export function createUsersRepository(db: Database) {
  return {
    /** Creates a user; fails with `conflict` when the username is taken in any case. */
    async create(user: NewUser): Promise<UserRecord> {
      try {
        const [row] = await db<UserRow>('users')
          .insert({
            id: user.id,
            username: user.username,
            password_hash: user.passwordHash,
            email: user.email ?? null,
            email_verified: user.emailVerified ?? false,
            name: user.name ?? null,
          })
          .returning('*');
        return toUser(row as UserRow);
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new StorageError('conflict', `a user named "${user.username}" already exists`, {
            cause: error,
          });
        }
        throw error;
      }
    },

    async findById(id: string): Promise<UserRecord | undefined> {
      const row = await db<UserRow>('users').where({ id }).first();
      return row ? toUser(row) : undefined;
    },

    /** Finds by username ignoring case (the unique index is on `lower(username)`). */
    async findByUsername(username: string): Promise<UserRecord | undefined> {
      const row = await db<UserRow>('users')
        .whereRaw('lower(username) = lower(?)', [username])
        .first();
      return row ? toUser(row) : undefined;
    },

    async list(): Promise<UserRecord[]> {
      const rows = await db<UserRow>('users').orderBy('created_at').orderBy('id');
      return rows.map(toUser);
    },

    /**
     * Replaces the password hash; false when the user does not exist. With `ifCurrent`, only
     * while the stored hash is still that one: a rehash at login must not overwrite a password
     * an operator set in the meantime.
     */
    async setPasswordHash(
      id: string,
      hash: string,
      options: { ifCurrent?: string } = {},
    ): Promise<boolean> {
      const query = db('users').where({ id });
      if (options.ifCurrent !== undefined) query.where({ password_hash: options.ifCurrent });
      const updated = await query.update({ password_hash: hash, updated_at: db.fn.now() });
      return updated > 0;
    },

    /**
     * Disables or enables the user; false when the user does not exist. Disabling also deletes,
     * in the same transaction, every session, grant, code and token issued to the user, so
     * nothing issued before keeps working (JWT access tokens live until they expire).
     */
    async setDisabled(id: string, disabled: boolean): Promise<boolean> {
      return db.transaction(async (trx) => {
        const updated = await trx('users')
          .where({ id })
          .update({
            // Disabling twice keeps the first time: it is the one an audit wants.
            disabled_at: disabled ? trx.raw('coalesce(disabled_at, now())') : null,
            updated_at: trx.fn.now(),
          });
        if (updated === 0) return false;
        if (disabled) await revokeArtifacts(trx, id);
        return true;
      });
    },

    /** Deletes the user and, in the same transaction, everything issued to them. */
    async delete(id: string): Promise<boolean> {
      return db.transaction(async (trx) => {
        const deleted = await trx('users').where({ id }).delete();
        if (deleted === 0) return false;
        await revokeArtifacts(trx, id);
        return true;
      });
    },
  };
}

/** The repository {@link createUsersRepository} returns. */
export type UsersRepository = ReturnType<typeof createUsersRepository>;
