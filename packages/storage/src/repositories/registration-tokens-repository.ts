import type { Knex } from 'knex';
import type { Database } from '../database.ts';
import { createAuditRepository, type NewAuditEvent } from './audit-repository.ts';

/** An initial access token for dynamic client registration (RFC 7591 §3), as stored. */
export interface RegistrationTokenRecord {
  id: string;
  /** The SHA-256 digest of the token; the token itself is never stored. */
  tokenHash: string;
  /** Scopes a client registered with it may have; empty: any its resources define. */
  scopes: string[];
  /** Resources a client registered with it is allowed. */
  resources: string[];
  /** How many registrations it allows; null: no limit. */
  maxUses: number | null;
  uses: number;
  expiresAt: Date | null;
  revokedAt: Date | null;
  createdBy: string;
  createdAt: Date;
}

/** What {@link RegistrationTokensRepository.create} stores. */
export type NewRegistrationToken = Omit<
  RegistrationTokenRecord,
  'uses' | 'revokedAt' | 'createdAt'
>;

interface TokenRow {
  id: string;
  token_hash: string;
  scopes: string[];
  resources: string[];
  max_uses: number | null;
  uses: number;
  expires_at: Date | null;
  revoked_at: Date | null;
  created_by: string;
  created_at: Date;
}

const TABLE = 'registration_tokens';

const toToken = (row: TokenRow): RegistrationTokenRecord => ({
  id: row.id,
  tokenHash: row.token_hash,
  scopes: row.scopes,
  resources: row.resources,
  maxUses: row.max_uses,
  uses: row.uses,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  createdBy: row.created_by,
  createdAt: row.created_at,
});

// Only live tokens: not revoked, not expired (by the database's clock), not used up.
function live(query: Knex.QueryBuilder, db: Database): void {
  query
    .whereNull('revoked_at')
    .where((q) => {
      q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now());
    })
    .where((q) => {
      q.whereNull('max_uses').orWhereRaw('uses < max_uses');
    });
}

/**
 * Uses up one use of a live initial access token (not revoked, not expired, not used up), in
 * the caller's transaction: one conditional UPDATE, so two registrations racing for the last
 * use cannot both have it. False when the token is not live.
 */
export async function useRegistrationToken(db: Database, id: string): Promise<boolean> {
  const updated = await db(TABLE).where({ id }).modify(live, db).increment('uses', 1);
  return Number(updated) === 1;
}

/**
 * Initial access tokens for dynamic client registration. Each write records its audit events in
 * the same transaction.
 *
 * @example
 * const tokens = createRegistrationTokensRepository(db);
 * const live = await tokens.findLiveByHash(digest);
 */
export function createRegistrationTokensRepository(db: Database) {
  return {
    async create(
      token: NewRegistrationToken,
      options: { audit?: readonly NewAuditEvent[] } = {},
    ): Promise<RegistrationTokenRecord> {
      return db.transaction(async (trx) => {
        const [row] = await trx<TokenRow>(TABLE)
          .insert({
            id: token.id,
            token_hash: token.tokenHash,
            scopes: token.scopes,
            resources: token.resources,
            max_uses: token.maxUses,
            expires_at: token.expiresAt,
            created_by: token.createdBy,
          })
          .returning('*');
        const audit = createAuditRepository(trx);
        for (const event of options.audit ?? []) await audit.record(event);
        return toToken(row as TokenRow);
      });
    },

    /** Every token, newest first, revoked, expired and used-up ones included. */
    async list(): Promise<RegistrationTokenRecord[]> {
      const rows = await db<TokenRow>(TABLE).orderBy('created_at', 'desc').orderBy('id');
      return rows.map(toToken);
    },

    async findById(id: string): Promise<RegistrationTokenRecord | undefined> {
      const row = await db<TokenRow>(TABLE).where({ id }).first();
      return row ? toToken(row) : undefined;
    },

    /** The live token (not revoked, expired or used up) with this digest, if any. */
    async findLiveByHash(tokenHash: string): Promise<RegistrationTokenRecord | undefined> {
      const row = await db<TokenRow>(TABLE)
        .where({ token_hash: tokenHash })
        .modify(live, db)
        .first();
      return row ? toToken(row) : undefined;
    },

    /**
     * Revokes the token (clients registered with it stay); undefined when there is no such
     * token. Revoking twice keeps the first time and records nothing more.
     */
    async revoke(
      id: string,
      options: { audit?: (token: RegistrationTokenRecord) => NewAuditEvent[] } = {},
    ): Promise<RegistrationTokenRecord | undefined> {
      return db.transaction(async (trx) => {
        const [row] = await trx<TokenRow>(TABLE)
          .where({ id })
          .whereNull('revoked_at')
          .update({ revoked_at: trx.fn.now() })
          .returning('*');
        if (!row) {
          const existing = await trx<TokenRow>(TABLE).where({ id }).first();
          return existing ? toToken(existing) : undefined;
        }
        const token = toToken(row as TokenRow);
        const audit = createAuditRepository(trx);
        for (const event of options.audit?.(token) ?? []) await audit.record(event);
        return token;
      });
    },
  };
}

/** The repository {@link createRegistrationTokensRepository} returns. */
export type RegistrationTokensRepository = ReturnType<typeof createRegistrationTokensRepository>;
