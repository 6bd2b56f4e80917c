import type { Database } from '../database.ts';

/** What a challenge handed out was for. */
export type ChallengePurpose = 'register' | 'second_factor' | 'passwordless';

/** A user's passkey, as stored (migration 0021): public data only. */
export interface PasskeyRecord {
  /** The factor's id in `user_factors`. */
  id: string;
  userId: string;
  name: string;
  /** base64url, as the authenticator gave it. */
  credentialId: string;
  /** base64url of the COSE public key. */
  publicKey: string;
  signCount: number;
  transports: string[];
  aaguid: string;
  backupEligible: boolean;
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** A passkey just registered, to store. */
export type NewPasskey = Omit<PasskeyRecord, 'createdAt' | 'lastUsedAt'>;

interface PasskeyRow {
  id: string;
  user_id: string;
  label: string;
  credential_id: string;
  public_key: string;
  sign_count: string | number;
  transports: string[] | null;
  aaguid: string | null;
  backup_eligible: boolean | null;
  backed_up: boolean | null;
  created_at: Date;
  last_used_at: Date | null;
}

const toPasskey = (row: PasskeyRow): PasskeyRecord => ({
  id: row.id,
  userId: row.user_id,
  name: row.label,
  credentialId: row.credential_id,
  publicKey: row.public_key,
  signCount: Number(row.sign_count),
  transports: row.transports ?? [],
  aaguid: row.aaguid ?? '',
  backupEligible: row.backup_eligible === true,
  backedUp: row.backed_up === true,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
});

const COLUMNS: string[] = [
  'id',
  'user_id',
  'label',
  'credential_id',
  'public_key',
  'sign_count',
  'transports',
  'aaguid',
  'backup_eligible',
  'backed_up',
  'created_at',
  'last_used_at',
];

/**
 * Passkeys (WebAuthn credentials, `user_factors` rows of kind `passkey`), the users' random
 * user handles, and the challenges handed out (migration 0021). A challenge is taken once: the
 * delete that takes it is the check, so two answers to one challenge cannot both win; a use
 * moves the signature counter only from the value it was read at.
 */
export function createPasskeysRepository(db: Database) {
  const passkeys = () => db<PasskeyRow>('user_factors').where('kind', 'passkey');
  return {
    /** The user's passkeys, oldest first. */
    async listForUser(userId: string): Promise<PasskeyRecord[]> {
      const rows = await passkeys()
        .andWhere({ user_id: userId })
        .orderBy('created_at')
        .orderBy('id')
        .select<PasskeyRow[]>(COLUMNS);
      return rows.map(toPasskey);
    },

    /** The passkey with this credential id, whoever's it is. */
    async findByCredentialId(credentialId: string): Promise<PasskeyRecord | undefined> {
      const row = await passkeys()
        .andWhere({ credential_id: credentialId })
        .first<PasskeyRow | undefined>(COLUMNS);
      return row ? toPasskey(row) : undefined;
    },

    /** Stores a registered passkey (confirmed at once); false when its credential id is taken. */
    async add(passkey: NewPasskey): Promise<boolean> {
      const inserted = await db('user_factors')
        .insert({
          id: passkey.id,
          user_id: passkey.userId,
          kind: 'passkey',
          label: passkey.name,
          secret: '',
          confirmed_at: db.fn.now(),
          credential_id: passkey.credentialId,
          public_key: passkey.publicKey,
          sign_count: passkey.signCount,
          transports: JSON.stringify(passkey.transports),
          aaguid: passkey.aaguid,
          backup_eligible: passkey.backupEligible,
          backed_up: passkey.backedUp,
        })
        .onConflict('credential_id')
        .ignore()
        .returning('id');
      return inserted.length > 0;
    },

    /** Renames one of the user's passkeys; false when the user has no such passkey. */
    async rename(userId: string, id: string, name: string): Promise<boolean> {
      return (await passkeys().andWhere({ user_id: userId, id }).update({ label: name })) > 0;
    },

    /**
     * Records a use: the counter moves from `fromCount` (the value the use was checked against)
     * to `toCount`; false when another use moved it first or the passkey is gone.
     */
    async recordUse(
      id: string,
      fromCount: number,
      use: { toCount: number; backedUp: boolean },
    ): Promise<boolean> {
      const updated = await passkeys()
        .andWhere({ id, sign_count: fromCount })
        .update({ sign_count: use.toCount, backed_up: use.backedUp, last_used_at: db.fn.now() });
      return updated > 0;
    },

    /** The user's handle for passkeys, made (random, by `fresh`) on first use and kept. */
    async userHandle(userId: string, fresh: () => string): Promise<string> {
      await db('webauthn_user_handles')
        .insert({ user_id: userId, handle: fresh() })
        .onConflict('user_id')
        .ignore();
      const row = await db('webauthn_user_handles').where({ user_id: userId }).first('handle');
      return (row as { handle: string }).handle;
    },

    /**
     * The challenge this binding holds for `purpose`, in one statement: the one it has when that
     * is for the same user and expires after `keepUntil` (a page shown again keeps its challenge),
     * otherwise `challenge`, stored in place of any other (with `expiresAt`). Returns the
     * challenge now held.
     */
    async holdChallenge(challenge: {
      binding: string;
      purpose: ChallengePurpose;
      challenge: string;
      userId: string | null;
      expiresAt: Date;
      keepUntil: Date;
    }): Promise<string> {
      const { rows } = (await db.raw(
        `with kept as (
           select challenge from webauthn_challenges
           where binding = ? and purpose = ? and expires_at > ?::timestamptz
             and user_id is not distinct from ?::text
         ), stored as (
           insert into webauthn_challenges (binding, purpose, challenge, user_id, expires_at)
           select ?::text, ?::text, ?::text, ?::text, ?::timestamptz
           where not exists (select 1 from kept)
           on conflict (binding, purpose) do update set challenge = excluded.challenge,
             user_id = excluded.user_id, expires_at = excluded.expires_at,
             created_at = excluded.created_at
           returning challenge
         )
         select challenge from kept union all select challenge from stored`,
        [
          challenge.binding,
          challenge.purpose,
          challenge.keepUntil,
          challenge.userId,
          challenge.binding,
          challenge.purpose,
          challenge.challenge,
          challenge.userId,
          challenge.expiresAt,
        ],
      )) as { rows: Array<{ challenge: string }> };
      return rows[0]?.challenge ?? challenge.challenge;
    },

    /**
     * Takes the challenge if this binding was given it for this purpose and it has not expired:
     * it is deleted, so it answers once. Undefined otherwise (unknown, used, expired).
     */
    async takeChallenge(taken: {
      binding: string;
      purpose: ChallengePurpose;
      challenge: string;
    }): Promise<{ userId: string | null } | undefined> {
      const rows = await db('webauthn_challenges')
        .where({ binding: taken.binding, purpose: taken.purpose, challenge: taken.challenge })
        .andWhere('expires_at', '>', db.fn.now())
        .delete()
        .returning('user_id');
      const row = rows[0] as { user_id: string | null } | undefined;
      return row ? { userId: row.user_id } : undefined;
    },
  };
}

/** The repository {@link createPasskeysRepository} returns. */
export type PasskeysRepository = ReturnType<typeof createPasskeysRepository>;
