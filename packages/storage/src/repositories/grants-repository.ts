import type { Database } from '../database.ts';
import { publishRevocations } from './revocations-repository.ts';

/** A grant a user gave a client, as oidc-provider stored it. */
export interface GrantRecord {
  grantId: string;
  accountId: string;
  clientId: string;
  /** OpenID scopes granted, space-separated. */
  openidScope: string;
  /** Scopes granted per API resource. */
  resources: Record<string, string>;
  grantedAt: Date | null;
  expiresAt: Date | null;
}

interface GrantRow {
  model: string;
  id: string;
  payload: {
    accountId?: string;
    clientId?: string;
    openid?: { scope?: string };
    resources?: Record<string, string>;
    iat?: number;
  };
  expires_at: Date | null;
}

const toGrant = (row: Pick<GrantRow, 'id' | 'payload' | 'expires_at'>): GrantRecord => ({
  grantId: row.id,
  accountId: row.payload.accountId ?? '',
  clientId: row.payload.clientId ?? '',
  openidScope: row.payload.openid?.scope ?? '',
  resources: row.payload.resources ?? {},
  grantedAt: row.payload.iat ? new Date(row.payload.iat * 1000) : null,
  expiresAt: row.expires_at,
});

/** Users' grants to clients (oidc-provider's Grant model), for listing and revoking. */
export function createGrantsRepository(db: Database) {
  const live = () =>
    db<GrantRow>('oidc_artifacts')
      .where({ model: 'Grant' })
      .where((q) => {
        q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now());
      });
  return {
    /** The account's live grants, newest first. */
    async listByAccount(accountId: string): Promise<GrantRecord[]> {
      const rows = await live()
        .whereRaw(`payload->>'accountId' = ?`, [accountId])
        .orderByRaw(`(payload->>'iat')::bigint desc nulls last`)
        .select('id', 'payload', 'expires_at');
      return rows.map(toGrant);
    },

    /**
     * The account's newest live grant to the client, which an authorization from any of the
     * user's browser sessions reuses (one grant per user and client; older duplicates from
     * before are left as they are).
     *
     * @example
     * const grant = await grants.findLatestFor(accountId, clientId); // undefined: never approved
     */
    async findLatestFor(accountId: string, clientId: string): Promise<GrantRecord | undefined> {
      const row = await live()
        .whereRaw(`payload->>'accountId' = ?`, [accountId])
        .whereRaw(`payload->>'clientId' = ?`, [clientId])
        .orderByRaw(`(payload->>'iat')::bigint desc nulls last`)
        .first('id', 'payload', 'expires_at');
      return row ? toGrant(row) : undefined;
    },

    async find(grantId: string): Promise<GrantRecord | undefined> {
      const row = await live().where({ id: grantId }).first('id', 'payload', 'expires_at');
      return row ? toGrant(row) : undefined;
    },

    /**
     * Deletes the grant and every code and token issued from it, in one transaction that also
     * publishes the grant on the revocation feed (its JWT access tokens are refused by APIs
     * following it). With `accountId`, only if the grant is that account's (a user revoking
     * their own).
     */
    async revoke(grantId: string, accountId?: string): Promise<boolean> {
      return db.transaction(async (trx) => {
        const query = trx('oidc_artifacts').where({ model: 'Grant', id: grantId });
        if (accountId !== undefined) query.whereRaw(`payload->>'accountId' = ?`, [accountId]);
        const deleted = await query.delete();
        if (deleted === 0) return false;
        await trx('oidc_artifacts').where({ grant_id: grantId }).delete();
        await publishRevocations(trx, [{ kind: 'grant', value: grantId }]);
        return true;
      });
    },
  };
}

/** The repository {@link createGrantsRepository} returns. */
export type GrantsRepository = ReturnType<typeof createGrantsRepository>;
