import type { Database } from '../database.ts';

/** What a mailed link is for. */
export type UserTokenPurpose = 'password_reset' | 'email_verification';

/** A mailed link, as stored: never its secret, only the digest it is found by. */
export interface UserTokenRecord {
  digest: string;
  userId: string;
  purpose: UserTokenPurpose;
  /** The address the link was sent to. */
  email: string;
  createdAt: Date;
  expiresAt: Date;
  consumedAt: Date | null;
}

interface UserTokenRow {
  id: string;
  user_id: string;
  purpose: UserTokenPurpose;
  email: string;
  created_at: Date;
  expires_at: Date;
  consumed_at: Date | null;
}

const toRecord = (row: UserTokenRow): UserTokenRecord => ({
  digest: row.id,
  userId: row.user_id,
  purpose: row.purpose,
  email: row.email,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  consumedAt: row.consumed_at,
});

/**
 * Single-use links mailed to users (password resets, e-mail verifications), stored under the
 * digest of their secret. A link is usable while unconsumed and unexpired; using it is one
 * conditional update, so of two concurrent uses exactly one wins.
 *
 * @example
 * const tokens = createUserTokensRepository(db);
 * await tokens.create({ digest, userId, purpose: 'password_reset', email, expiresAt });
 * const used = await tokens.consume(digest, 'password_reset'); // undefined the second time
 */
export function createUserTokensRepository(db: Database) {
  const usable = (digest: string, purpose: UserTokenPurpose) =>
    db<UserTokenRow>('user_tokens')
      .where({ id: digest, purpose })
      .whereNull('consumed_at')
      .where('expires_at', '>', db.fn.now());

  return {
    /** Stores a new link. */
    async create(token: {
      digest: string;
      userId: string;
      purpose: UserTokenPurpose;
      email: string;
      expiresAt: Date;
    }): Promise<void> {
      await db('user_tokens').insert({
        id: token.digest,
        user_id: token.userId,
        purpose: token.purpose,
        email: token.email,
        expires_at: token.expiresAt,
      });
    },

    /** The link with this digest and purpose while it is usable; undefined otherwise. */
    async findUsable(
      digest: string,
      purpose: UserTokenPurpose,
    ): Promise<UserTokenRecord | undefined> {
      const row = await usable(digest, purpose).first();
      return row ? toRecord(row) : undefined;
    },

    /** Uses the link: the record when it was usable and is now consumed, undefined otherwise. */
    async consume(digest: string, purpose: UserTokenPurpose): Promise<UserTokenRecord | undefined> {
      const [row] = await usable(digest, purpose)
        .update({ consumed_at: db.fn.now() })
        .returning('*');
      return row ? toRecord(row as UserTokenRow) : undefined;
    },

    /** Consumes every usable link of the user for `purpose` (a reset ends the other resets). */
    async consumeAllOf(userId: string, purpose: UserTokenPurpose): Promise<number> {
      return db('user_tokens')
        .where({ user_id: userId, purpose })
        .whereNull('consumed_at')
        .update({ consumed_at: db.fn.now() });
    },
  };
}

/** The repository {@link createUserTokensRepository} returns. */
export type UserTokensRepository = ReturnType<typeof createUserTokensRepository>;
