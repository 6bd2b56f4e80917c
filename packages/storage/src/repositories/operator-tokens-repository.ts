import type { Database } from '../database.ts';

/**
 * An operator-issued token still valid (`tokens issue`, `POST /admin/v1/tokens`): what was
 * recorded of it, never the token itself nor its stored digest.
 */
export interface OperatorTokenRecord {
  /** The grant made for it: `tokens revoke --grant` revokes exactly this token. */
  grantId: string;
  clientId: string;
  /** The client's name; null if the client is gone. */
  clientName: string | null;
  /** The user it acts for; null when the client acts for itself. */
  subject: string | null;
  /** Space-separated scopes. */
  scope: string;
  /** The resource (audience) it is for. */
  resource: string;
  issuedAt: Date;
  /** When the token expires (its `exp`); null for one that never does. */
  expiresAt: Date | null;
  /** Who issued it, from the audit trail's `token.issued`; null once the trail has lost it. */
  issuedBy: string | null;
}

/** A page of operator tokens, newest first: the key of the last one shown, and how many. */
export interface OperatorTokenPageQuery {
  /** The issue time (whole seconds since the epoch, in decimal) and grant id of the last shown. */
  after?: readonly [string, string];
  /** The most rows to return; none: all of them. */
  limit?: number;
}

interface TokenRow {
  grant_id: string;
  client_id: string;
  client_name: string | null;
  account_id: string | null;
  scope: string | null;
  aud: string | null;
  iat: string;
  exp: string | null;
}

// The token's issue time, as oidc-provider stores it (seconds), for ordering and the cursor.
const IAT = `(t.payload->>'iat')::bigint`;

/**
 * The operator-issued tokens in `oidc_artifacts` (opaque access tokens with `gty` `operator`, one
 * grant each), with who issued them from the audit trail.
 *
 * @example
 * const page = await createOperatorTokensRepository(db).listPage({ limit: 51 });
 */
export function createOperatorTokensRepository(db: Database) {
  // Who issued each grant's token: its `token.issued` event (the janitor may have purged it).
  const issuers = async (grantIds: readonly string[]): Promise<Map<string, string>> => {
    if (grantIds.length === 0) return new Map();
    const rows: Array<{ grant_id: string; actor: string }> = await db('audit_events')
      .where({ type: 'token.issued' })
      .whereRaw(`details->>'grant_id' in (${grantIds.map(() => '?').join(', ')})`, [...grantIds])
      .orderBy('id', 'asc')
      .select(db.raw(`details->>'grant_id' as grant_id`), 'actor');
    return new Map(rows.map((row) => [row.grant_id, row.actor]));
  };

  return {
    /**
     * The live operator tokens (not expired, not revoked), newest first (issue time, then grant
     * id, both descending), after `page.after`: keyset paging that neither skips nor repeats a
     * token when tokens are issued or revoked between pages.
     */
    async listPage(page: OperatorTokenPageQuery = {}): Promise<OperatorTokenRecord[]> {
      const query = db('oidc_artifacts as t')
        .leftJoin('clients as c', 'c.id', db.raw(`t.payload->>'clientId'`))
        .where('t.model', 'AccessToken')
        .whereRaw(`t.payload->>'gty' = 'operator'`)
        .whereNotNull('t.grant_id')
        .where((q) => {
          q.whereNull('t.expires_at').orWhere('t.expires_at', '>', db.fn.now());
        })
        .select(
          't.grant_id',
          db.raw(`t.payload->>'clientId' as client_id`),
          'c.name as client_name',
          db.raw(`t.payload->>'accountId' as account_id`),
          db.raw(`t.payload->>'scope' as scope`),
          db.raw(`t.payload->>'aud' as aud`),
          db.raw(`${IAT} as iat`),
          db.raw(`t.payload->>'exp' as exp`),
        )
        .orderByRaw(`${IAT} desc, t.grant_id collate "C" desc`);
      if (page.after) {
        query.whereRaw(`(${IAT}, t.grant_id collate "C") < (?::bigint, ?)`, [...page.after]);
      }
      if (page.limit !== undefined) query.limit(page.limit);
      const rows: TokenRow[] = await query;
      const issuedBy = await issuers(rows.map((row) => row.grant_id));
      return rows.map((row) => ({
        grantId: row.grant_id,
        clientId: row.client_id,
        clientName: row.client_name,
        subject: row.account_id,
        scope: row.scope ?? '',
        resource: row.aud ?? '',
        issuedAt: new Date(Number(row.iat) * 1000),
        expiresAt: row.exp === null ? null : new Date(Number(row.exp) * 1000),
        issuedBy: issuedBy.get(row.grant_id) ?? null,
      }));
    },
  };
}

/** The repository {@link createOperatorTokensRepository} returns. */
export type OperatorTokensRepository = ReturnType<typeof createOperatorTokensRepository>;
