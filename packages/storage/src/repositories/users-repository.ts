import type { Knex } from 'knex';
import type { Database } from '../database.ts';
import { isUniqueViolation, StorageError } from '../errors.ts';
import { noticeLogouts } from './logout-notices-repository.ts';
import { byNamePage, type NamePageQuery } from './name-page.ts';
import { publishRevocations } from './revocations-repository.ts';

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
  await noticeLogouts(db, userId);
  await db('oidc_artifacts').whereRaw(`payload->>'accountId' = ?`, [userId]).delete();
  // JWT access tokens are not stored: APIs following the revocation feed refuse them.
  await publishRevocations(db, [{ kind: 'subject', value: userId }]);
}

/** A user and whether they have a confirmed second factor. */
export interface UserWithFactor {
  user: UserRecord;
  hasFactor: boolean;
}

// The first user `query` finds, with whether a confirmed factor of theirs exists (migration 0016).
async function withFactor(
  db: Database,
  query: Knex.QueryBuilder<UserRow>,
): Promise<UserWithFactor | undefined> {
  const row = (await query.first('users.*', {
    has_factor: db.raw(
      'exists (select 1 from user_factors f where f.user_id = users.id and f.confirmed_at is not null)',
    ),
  })) as (UserRow & { has_factor: boolean }) | undefined;
  return row ? { user: toUser(row), hasFactor: row.has_factor } : undefined;
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

    /**
     * Locks the user's row until the transaction `db` ends (`SELECT ... FOR UPDATE`), for a
     * change checked against what was read (the admin API's `If-Match`). `false`: no such user.
     */
    async lockForChange(id: string): Promise<boolean> {
      const row = await db('users').where({ id }).forUpdate().first('id');
      return row !== undefined;
    },

    async findById(id: string): Promise<UserRecord | undefined> {
      const row = await db<UserRow>('users').where({ id }).first();
      return row ? toUser(row) : undefined;
    },

    /**
     * {@link findById} and whether the user has a confirmed second factor (an app or a passkey),
     * in one statement: a sign-in asks both of the same user.
     */
    async findByIdWithFactor(id: string): Promise<UserWithFactor | undefined> {
      return withFactor(db, db<UserRow>('users').where({ id }));
    },

    /** {@link findByUsername} and whether the user has a confirmed second factor. */
    async findByUsernameWithFactor(username: string): Promise<UserWithFactor | undefined> {
      return withFactor(
        db,
        db<UserRow>('users').whereRaw('lower(username) = lower(?)', [username]),
      );
    },

    /** Finds by username ignoring case (the unique index is on `lower(username)`). */
    async findByUsername(username: string): Promise<UserRecord | undefined> {
      const row = await db<UserRow>('users')
        .whereRaw('lower(username) = lower(?)', [username])
        .first();
      return row ? toUser(row) : undefined;
    },

    /** The enabled users with this address (any case), oldest first: several may share one. */
    async findEnabledByEmail(email: string): Promise<UserRecord[]> {
      const rows = await db<UserRow>('users')
        .whereRaw('lower(email) = lower(?)', [email])
        .whereNull('disabled_at')
        .orderBy('created_at')
        .orderBy('id');
      return rows.map(toUser);
    },

    /**
     * Sets (or with null clears) the address; a new address is unverified until its owner
     * follows a verification link. False when the user does not exist.
     */
    async setEmail(id: string, email: string | null): Promise<boolean> {
      const updated = await db('users')
        .where({ id })
        .update({
          email,
          // Keeping the same address keeps its verification.
          email_verified: db.raw('email_verified AND email IS NOT DISTINCT FROM ?', [email]),
          updated_at: db.fn.now(),
        });
      return updated > 0;
    },

    /**
     * Marks the address verified, only while it is still `email` (a link sent to an address the
     * user has since replaced verifies nothing). False otherwise.
     */
    async markEmailVerified(id: string, email: string): Promise<boolean> {
      const updated = await db('users')
        .where({ id, email })
        .update({ email_verified: true, updated_at: db.fn.now() });
      return updated > 0;
    },

    /**
     * Ends the user's sign-ins: their sessions (all but the one stored under `keepSession`, a
     * digest) and, with `refreshTokens`, every code and token issued to them. Grants (what the
     * user consented to) stay. Clients signed in through an ended session that take back-channel
     * logout get a logout notice (repositories/logout-notices-repository.ts). Returns how many
     * artifacts were deleted.
     */
    async endSignIns(
      id: string,
      options: { keepSession?: string; refreshTokens: boolean },
    ): Promise<number> {
      return db.transaction(async (trx) => {
        await noticeLogouts(
          trx,
          id,
          options.keepSession === undefined ? {} : { keepSession: options.keepSession },
        );
        const query = trx('oidc_artifacts').whereRaw(`payload->>'accountId' = ?`, [id]);
        if (options.refreshTokens) query.whereNot({ model: 'Grant' });
        else query.where({ model: 'Session' });
        if (options.keepSession !== undefined) {
          const keep = { model: 'Session', id: options.keepSession };
          query.whereNot((q) => {
            q.where(keep);
          });
        }
        const ended = await query.delete();
        // Every token ends with the sign-ins: the JWT access tokens too, at APIs following the
        // revocation feed.
        if (options.refreshTokens) await publishRevocations(trx, [{ kind: 'subject', value: id }]);
        return ended;
      });
    },

    async list(): Promise<UserRecord[]> {
      const rows = await db<UserRow>('users').orderBy('created_at').orderBy('id');
      return rows.map(toUser);
    },

    /** A page of users by username, then id (see byNamePage), searched by username, name, email. */
    async listPage(page: NamePageQuery): Promise<UserRecord[]> {
      const query = db<UserRow>('users');
      const rows = await byNamePage(query, 'username', 'id', page, ['username', 'name', 'email']);
      return rows.map(toUser);
    },

    /**
     * The user, their row locked until the transaction `db` is ends: changes that check something
     * of the user's (their last way to sign in) and then change it cannot interleave.
     */
    async lockForUpdate(id: string): Promise<UserRecord | undefined> {
      const row = await db<UserRow>('users').where({ id }).forUpdate().first();
      return row ? toUser(row) : undefined;
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
     * nothing issued before keeps working (JWT access tokens too, at APIs following the revocation
     * feed).
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
