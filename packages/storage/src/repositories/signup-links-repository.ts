import type { Database } from '../database.ts';

/** What a self-registration link came from: an operator's invitation or an open sign-up. */
export type SignupLinkKind = 'invitation' | 'signup';

/** A self-registration link, as stored: never its secret, only the digest it is found by. */
export interface SignupLinkRecord {
  digest: string;
  kind: SignupLinkKind;
  /** The address the link was mailed to: the new account's verified address. */
  email: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  consumedAt: Date | null;
  /** The account the link created, once used. */
  userId: string | null;
}

interface SignupLinkRow {
  id: string;
  kind: SignupLinkKind;
  email: string;
  created_by: string;
  created_at: Date;
  expires_at: Date;
  consumed_at: Date | null;
  user_id: string | null;
}

const toRecord = (row: SignupLinkRow): SignupLinkRecord => ({
  digest: row.id,
  kind: row.kind,
  email: row.email,
  createdBy: row.created_by,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  consumedAt: row.consumed_at,
  userId: row.user_id,
});

/**
 * Self-registration links (invitations and open sign-ups) stored under the digest of their
 * secret. A link is usable while unconsumed and unexpired; using it is one conditional update,
 * so of two concurrent uses exactly one wins.
 *
 * @example
 * const links = createSignupLinksRepository(db);
 * await links.create({ digest, kind: 'invitation', email, createdBy: 'cli:bob', expiresAt });
 * const used = await links.consume(digest, userId); // undefined the second time
 */
export function createSignupLinksRepository(db: Database) {
  const usable = (digest: string) =>
    db<SignupLinkRow>('signup_links')
      .where({ id: digest })
      .whereNull('consumed_at')
      .where('expires_at', '>', db.fn.now());

  return {
    /** Stores a new link. */
    async create(link: {
      digest: string;
      kind: SignupLinkKind;
      email: string;
      createdBy: string;
      expiresAt: Date;
    }): Promise<void> {
      await db('signup_links').insert({
        id: link.digest,
        kind: link.kind,
        email: link.email,
        created_by: link.createdBy,
        expires_at: link.expiresAt,
      });
    },

    /** The link with this digest while it is usable; undefined otherwise. */
    async findUsable(digest: string): Promise<SignupLinkRecord | undefined> {
      const row = await usable(digest).first();
      return row ? toRecord(row) : undefined;
    },

    /**
     * Uses the link for the account it just created: the record when it was usable and is now
     * consumed, undefined otherwise.
     */
    async consume(digest: string, userId: string): Promise<SignupLinkRecord | undefined> {
      const [row] = await usable(digest)
        .update({ consumed_at: db.fn.now(), user_id: userId })
        .returning('*');
      return row ? toRecord(row as SignupLinkRow) : undefined;
    },
  };
}

/** The repository {@link createSignupLinksRepository} returns. */
export type SignupLinksRepository = ReturnType<typeof createSignupLinksRepository>;
