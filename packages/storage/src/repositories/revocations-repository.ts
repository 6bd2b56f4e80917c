import type { Database } from '../database.ts';
import { notifyChange } from '../notifications.ts';
import { lockTransaction } from '../transaction-lock.ts';

/**
 * What a revocation names, as the access token carries it: `grant` (the `grant_id` claim),
 * `token` (`jti`), `subject` (`sub`: a user disabled, deleted or signed out everywhere) or
 * `client` (`client_id`: a client disabled or deleted).
 */
export type RevocationKind = 'grant' | 'token' | 'subject' | 'client';

/** One thing to publish as revoked. */
export interface NewRevocation {
  kind: RevocationKind;
  value: string;
  /**
   * The latest expiry of a token it can refuse, when known (one token's `exp`); default: now
   * plus the longest access-token lifetime of any resource or client, plus a minute of leeway.
   */
  expiresAt?: Date;
}

/** A published revocation, as the feed serves it. */
export interface RevocationRecord {
  /** The feed's cursor: increasing in commit order. */
  seq: string;
  kind: RevocationKind;
  value: string;
  revokedAt: Date;
  expiresAt: Date;
}

/** One page of the feed. */
export interface RevocationPage {
  /** Live entries after the cursor, in order (expired ones are skipped). */
  entries: RevocationRecord[];
  /** What to ask from next time. */
  cursor: string;
  /**
   * True when the cursor given is not one this database can continue from (none given, one
   * ahead of the feed, or older than its oldest row): `entries` then start from the beginning
   * of the live feed, and the reader must drop what it held before applying them.
   */
  reset: boolean;
  /** True when the page was full: more entries follow at once. */
  more: boolean;
}

const LOCK = 'portcullis.revocations';
const SEQUENCE = 'revocations_seq_seq';
// Leeway added to the lifetime: a resource server accepts a token up to its clock tolerance
// (at most 60 s) past `exp`.
const LEEWAY_SECONDS = 60;
const DEFAULT_TTL_SECONDS = 600;

interface RevocationRow {
  seq: string;
  live?: boolean;
  kind: RevocationKind;
  value: string;
  revoked_at: Date;
  expires_at: Date;
}

const toRecord = (row: RevocationRow): RevocationRecord => ({
  seq: String(row.seq),
  kind: row.kind,
  value: row.value,
  revokedAt: row.revoked_at,
  expiresAt: row.expires_at,
});

/**
 * Publishes `entries` on the revocation feed, inside the transaction `trx` of the revocation
 * itself (so a feed entry exists exactly when the revocation committed), and wakes the servers'
 * waiting feed requests on commit. Writers take one advisory lock first, held to the end of the
 * transaction, so entries commit in the order of their `seq`: a reader that has seen `seq` N has
 * seen everything before it. `trx` should be a transaction (a plain connection pool gets one of
 * its own here).
 *
 * @example
 * await db.transaction(async (trx) => {
 *   await trx('users').where({ id }).update({ disabled_at: trx.fn.now() });
 *   await publishRevocations(trx, [{ kind: 'subject', value: id }]);
 * });
 */
export async function publishRevocations(
  trx: Database,
  entries: readonly NewRevocation[],
): Promise<void> {
  if (entries.length === 0) return;
  // A savepoint inside the caller's transaction; a transaction of its own on a bare pool.
  await trx.transaction(async (inner) => {
    await lockTransaction(inner, LOCK);
    const horizon = await inner.raw<{ rows: Array<{ longest: number | null }> }>(
      `select greatest(
         (select max(access_token_ttl) from resources),
         (select max(access_token_ttl) from clients),
         ?::integer
       ) as longest`,
      [DEFAULT_TTL_SECONDS],
    );
    const seconds = Number(horizon.rows[0]?.longest ?? DEFAULT_TTL_SECONDS) + LEEWAY_SECONDS;
    let last: string | undefined;
    for (const entry of entries) {
      // A grant or a token is revoked for good: one live entry is enough (oidc-provider revokes
      // a grant once per model). A subject or a client can be enabled again and revoked again
      // later, which must refuse what was issued in between: always a new entry.
      if (entry.kind === 'grant' || entry.kind === 'token') {
        const existing = await inner('revocations')
          .where({ kind: entry.kind, value: entry.value })
          .where('expires_at', '>', inner.fn.now())
          .first('seq');
        if (existing) continue;
      }
      const [row] = await inner('revocations')
        .insert({
          kind: entry.kind,
          value: entry.value,
          expires_at:
            entry.expiresAt === undefined
              ? inner.raw('now() + make_interval(secs => ?)', [seconds])
              : inner.raw('greatest(?::timestamptz, now())', [entry.expiresAt]),
        })
        .returning('seq');
      last = String((row as { seq: string }).seq);
    }
    if (last !== undefined) await notifyChange(inner, { kind: 'revocation', id: last });
  });
}

/** The revocation feed's reads. Writes go through {@link publishRevocations}. */
export function createRevocationsRepository(db: Database) {
  return {
    /**
     * Up to `limit` live entries after `after` (a cursor from an earlier page; undefined for the
     * first read). A cursor this database cannot continue from gives `reset: true` and the live
     * feed from its start, so the reader replaces what it holds with a full snapshot.
     *
     * @example
     * let page = await revocations.page(undefined, 500); // a snapshot
     * page = await revocations.page(page.cursor, 500); // what came after
     */
    async page(after: bigint | undefined, limit: number): Promise<RevocationPage> {
      const state = await db.raw<{
        rows: Array<{ last: string | null; oldest: string | null; newest: string | null }>;
      }>(
        `select pg_sequence_last_value(?::regclass) as last,
                (select min(seq) from revocations) as oldest,
                (select max(seq) from revocations) as newest`,
        [SEQUENCE],
      );
      const { last, oldest, newest } = state.rows[0] ?? { last: null, oldest: null, newest: null };
      const reset =
        after === undefined ||
        after > BigInt(last ?? 0) ||
        (oldest !== null && after < BigInt(oldest) - 1n);
      const from = reset ? 0n : (after as bigint);
      const rows: RevocationRow[] = await db('revocations')
        .where('seq', '>', String(from))
        .orderBy('seq')
        .limit(limit)
        .select(
          'seq',
          'kind',
          'value',
          'revoked_at',
          'expires_at',
          db.raw('expires_at > now() as live'),
        );
      // Expired rows (not purged yet) move the cursor but are not served: they refuse nothing.
      const entries = rows.filter((row) => row.live).map(toRecord);
      const lastRow = rows.at(-1);
      let cursor = lastRow ? String(lastRow.seq) : String(from);
      // A reset with nothing live to send starts from the newest committed row.
      if (!lastRow && reset) cursor = newest ?? '0';
      return { entries, cursor, reset, more: rows.length === limit };
    },
  };
}

/** The repository {@link createRevocationsRepository} returns. */
export type RevocationsRepository = ReturnType<typeof createRevocationsRepository>;
