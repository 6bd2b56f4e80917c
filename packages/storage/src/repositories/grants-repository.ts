import type { Database } from '../database.ts';
import { whereContains } from './name-page.ts';
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

/** Which grants a page lists: all live ones, or those matching every filter given. */
export interface GrantPageQuery {
  /** Only this user's grants: their id (or their username, with `usernames`). */
  user?: string;
  /** Only the grants to this client (its id). */
  client?: string;
  /** Only grants with this text (any case) in the client's name or id (or the username). */
  contains?: string;
  /** Whether usernames are matched (`user`, `contains`) and returned; else ids alone. */
  usernames?: boolean;
  /** The sort key of the last grant of the previous page (iat in seconds, then id). */
  after?: readonly [string, string];
  /** The most rows to return. */
  limit: number;
}

/** A grant of a page, with its user's username (null unless asked for, or the user is gone). */
export interface GrantPageRow extends GrantRecord {
  username: string | null;
}

// The grants' order, the newest first: iat (0 when unknown, so last), then id; in byte order,
// descending, as migration 0025's index oidc_artifacts_grant_page_idx holds them.
const GRANT_KEY = `coalesce((a.payload->>'iat')::bigint, 0), a.id collate "C"`;

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
    /** The account's live grants, newest first (then by id, as {@link listPage} orders them). */
    async listByAccount(accountId: string): Promise<GrantRecord[]> {
      const rows = await live()
        .whereRaw(`payload->>'accountId' = ?`, [accountId])
        .orderByRaw(`coalesce((payload->>'iat')::bigint, 0) desc, id collate "C" desc`)
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

    /**
     * A page of live grants, the newest first (then by id), filtered; keyset paging done by
     * PostgreSQL, so a page neither skips nor repeats a grant when others come or go between
     * pages. `after` is the key {@link grantPageKey} gave for the last grant shown.
     *
     * @example
     * const rows = await grants.listPage({ client: 'billing', limit: 51 });
     */
    async listPage(page: GrantPageQuery): Promise<GrantPageRow[]> {
      const query = db('oidc_artifacts as a')
        .where('a.model', 'Grant')
        .where((q) => {
          q.whereNull('a.expires_at').orWhere('a.expires_at', '>', db.fn.now());
        })
        .leftJoin('clients as c', 'c.id', db.raw(`a.payload->>'clientId'`));
      if (page.usernames) query.leftJoin('users as u', 'u.id', db.raw(`a.payload->>'accountId'`));
      const { user } = page;
      if (user !== undefined) {
        query.where((q) => {
          q.whereRaw(`a.payload->>'accountId' = ?`, [user]);
          if (page.usernames) q.orWhereRaw('lower(u.username) = lower(?)', [user]);
        });
      }
      if (page.client !== undefined) query.whereRaw(`a.payload->>'clientId' = ?`, [page.client]);
      const searched = [`a.payload->>'clientId'`, 'c.name'];
      whereContains(query, page.usernames ? [...searched, 'u.username'] : searched, page.contains);
      if (page.after) {
        query.whereRaw(`(${GRANT_KEY}) < (?::bigint, ?)`, [...page.after]);
      }
      const rows: Array<GrantRow & { username: string | null }> = await query
        .orderByRaw(`coalesce((a.payload->>'iat')::bigint, 0) desc, a.id collate "C" desc`)
        .limit(page.limit)
        .select(
          'a.id',
          'a.payload',
          'a.expires_at',
          page.usernames ? 'u.username' : db.raw('null::text as username'),
        );
      return rows.map((row) => ({ ...toGrant(row), username: row.username }));
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

/**
 * The sort key of a grant in {@link GrantPageQuery} `after`: its iat in seconds (0 when unknown),
 * then its id.
 *
 * @example
 * grantPageKey(grant); // ['1767225600', 'f3c...']
 */
export const grantPageKey = (grant: GrantRecord): [string, string] => [
  String(grant.grantedAt ? Math.floor(grant.grantedAt.getTime() / 1000) : 0),
  grant.grantId,
];

/** The repository {@link createGrantsRepository} returns. */
export type GrantsRepository = ReturnType<typeof createGrantsRepository>;
