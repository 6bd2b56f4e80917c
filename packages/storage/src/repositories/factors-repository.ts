import type { Database } from '../database.ts';

/** A kind of second factor: an authenticator app, or a passkey (passkeys-repository.ts). */
export type FactorKind = 'totp' | 'passkey';

/** A user's second factor, as stored; `secret` is an encrypted envelope, never a usable seed. */
export interface FactorRecord {
  id: string;
  userId: string;
  kind: FactorKind;
  label: string;
  secret: string;
  lastUsedStep: number | null;
  /** Null while the enrolment waits for its first code: such a row is not a factor yet. */
  confirmedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

interface FactorRow {
  id: string;
  user_id: string;
  kind: FactorKind;
  label: string;
  secret: string;
  last_used_step: string | number | null;
  confirmed_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
}

const toFactor = (row: FactorRow): FactorRecord => ({
  id: row.id,
  userId: row.user_id,
  kind: row.kind,
  label: row.label,
  secret: row.secret,
  lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
  confirmedAt: row.confirmed_at,
  lastUsedAt: row.last_used_at,
  createdAt: row.created_at,
});

/**
 * Users' second factors and recovery codes (migration 0016). Uses of a code are conditional
 * updates, so two requests with the same code cannot both win.
 */
export function createFactorsRepository(db: Database) {
  return {
    /** The user's factors, confirmed or not, oldest first. */
    async listForUser(userId: string): Promise<FactorRecord[]> {
      const rows = await db<FactorRow>('user_factors')
        .where({ user_id: userId })
        .orderBy('created_at')
        .orderBy('id');
      return rows.map(toFactor);
    },

    /**
     * Starts an enrolment: replaces the user's unconfirmed factors of this kind with this one.
     */
    async startEnrolment(factor: {
      id: string;
      userId: string;
      kind: FactorKind;
      label: string;
      secret: string;
    }): Promise<void> {
      await db.transaction(async (trx) => {
        await trx('user_factors')
          .where({ user_id: factor.userId, kind: factor.kind })
          .whereNull('confirmed_at')
          .delete();
        await trx('user_factors').insert({
          id: factor.id,
          user_id: factor.userId,
          kind: factor.kind,
          label: factor.label,
          secret: factor.secret,
        });
      });
    },

    /**
     * Marks `step` as used, only when it is later than the last step used; false when it is not
     * (a replayed code) or the factor is gone. With `confirm`, also confirms the enrolment.
     */
    async useStep(id: string, step: number, options: { confirm?: boolean } = {}): Promise<boolean> {
      const updated = await db('user_factors')
        .where({ id })
        .andWhere((q) => {
          q.whereNull('last_used_step').orWhere('last_used_step', '<', step);
        })
        .update({
          last_used_step: step,
          last_used_at: db.fn.now(),
          ...(options.confirm ? { confirmed_at: db.raw('coalesce(confirmed_at, now())') } : {}),
        });
      return updated > 0;
    },

    /** Deletes one factor of the user; false when there was none. */
    async remove(userId: string, id: string): Promise<boolean> {
      return (await db('user_factors').where({ user_id: userId, id }).delete()) > 0;
    },

    /** Deletes every factor and recovery code of the user; the number of factors deleted. */
    async removeAll(userId: string): Promise<number> {
      const factors = await db('user_factors').where({ user_id: userId }).delete();
      await db('user_recovery_codes').where({ user_id: userId }).delete();
      return factors;
    },

    /** Replaces the user's recovery codes with these digests. */
    async replaceRecoveryCodes(userId: string, hashes: readonly string[]): Promise<void> {
      await db('user_recovery_codes').where({ user_id: userId }).delete();
      await db('user_recovery_codes').insert(
        hashes.map((hash) => ({ user_id: userId, code_hash: hash })),
      );
    },

    /** Uses the recovery code with this digest; false when it is unknown or already used. */
    async useRecoveryCode(userId: string, hash: string): Promise<boolean> {
      const updated = await db('user_recovery_codes')
        .where({ user_id: userId, code_hash: hash })
        .whereNull('used_at')
        .update({ used_at: db.fn.now() });
      return updated > 0;
    },

    /** How many of the user's recovery codes are still unused. */
    async recoveryCodesLeft(userId: string): Promise<number> {
      const row = await db('user_recovery_codes')
        .where({ user_id: userId })
        .whereNull('used_at')
        .count<{ count: string }[]>({ count: '*' })
        .first();
      return Number(row?.count ?? 0);
    },
  };
}

/** The repository {@link createFactorsRepository} returns. */
export type FactorsRepository = ReturnType<typeof createFactorsRepository>;
