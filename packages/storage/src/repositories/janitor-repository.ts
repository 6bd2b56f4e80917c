import type { Database } from '../database.ts';
import { type ArtifactCounts, countByModel } from './artifacts-repository.ts';
import { createAuditRepository } from './audit-repository.ts';

/** What the janitor would delete now. */
export interface PurgeableCounts {
  /** Artifacts past their `expires_at`, by model (mailed links as `MailedLink`). */
  expired: ArtifactCounts;
  /** Artifacts consumed before the margin and not expired yet, by model. */
  consumed: ArtifactCounts;
  /** Audit events before the cutoff, when one was given. */
  auditEvents?: number;
}

// One key for every process on the database: only one janitor purges at a time.
const LOCK = `hashtextextended('portcullis:janitor', 0)`;

const consumedBefore = (db: Database, marginSeconds: number) =>
  db.raw('now() - make_interval(secs => ?)', [marginSeconds]);

// The name the janitor's counts give to mailed links (`user_tokens`, `signup_links`), next to
// the models.
const MAILED_LINK = 'MailedLink';

// The tables of mailed links: password resets and verifications, and sign-ups and invitations.
const MAILED_TABLES = ['user_tokens', 'signup_links'] as const;

// The sum of `each` over the mailed-link tables.
const overMailedTables = async (
  each: (table: (typeof MAILED_TABLES)[number]) => Promise<number | string | undefined>,
): Promise<number> => {
  let total = 0;
  for (const table of MAILED_TABLES) total += Number((await each(table)) ?? 0);
  return total;
};

// The name the janitor's counts give to expired entries of the revocation feed.
const REVOCATION = 'Revocation';

// The name the janitor's counts give to passkey challenges never answered (`webauthn_challenges`).
const PASSKEY_CHALLENGE = 'PasskeyChallenge';

// Mailed links counted under MAILED_LINK, when there are any.
const named = (name: string, n: number | string | undefined): ArtifactCounts =>
  Number(n ?? 0) > 0 ? { [name]: Number(n) } : {};
const links = (n: number | string | undefined): ArtifactCounts => named(MAILED_LINK, n);

/**
 * The janitor's SQL: counting and deleting expired and long-consumed rows of `oidc_artifacts`
 * (and of `user_tokens` and `signup_links`, mailed links, counted as `MailedLink`; and expired
 * entries of the revocation feed, counted as `Revocation`; and expired passkey challenges never
 * answered, `webauthn_challenges`, as `PasskeyChallenge`) in
 * bounded batches (each a short statement on the `expires_at` or `consumed_at` index, so it never
 * holds locks for long), and a PostgreSQL advisory lock so that only one process purges at a time.
 *
 * @example
 * const janitor = createJanitorRepository(db);
 * const outcome = await janitor.withLock(() => janitor.deleteExpiredBatch(1000));
 */
export function createJanitorRepository(db: Database) {
  return {
    /** Counts what a purge would delete, by model, without deleting anything. */
    async countPurgeable(options: {
      consumedMarginSeconds: number;
      auditBefore?: Date;
    }): Promise<PurgeableCounts> {
      const expired = await db('oidc_artifacts')
        .where('expires_at', '<', db.fn.now())
        .groupBy('model')
        .select('model', db.raw('count(*) as n'));
      const consumed = await db('oidc_artifacts')
        .where('consumed_at', '<', consumedBefore(db, options.consumedMarginSeconds))
        .where((q) => {
          q.whereNull('expires_at').orWhere('expires_at', '>=', db.fn.now());
        })
        .groupBy('model')
        .select('model', db.raw('count(*) as n'));
      const expiredLinks = await overMailedTables(
        async (table) =>
          (await db(table).where('expires_at', '<', db.fn.now()).count({ n: '*' }))[0]?.n,
      );
      const consumedLinks = await overMailedTables(
        async (table) =>
          (
            await db(table)
              .where('consumed_at', '<', consumedBefore(db, options.consumedMarginSeconds))
              .where('expires_at', '>=', db.fn.now())
              .count({ n: '*' })
          )[0]?.n,
      );
      const [expiredRevocations] = await db('revocations')
        .where('expires_at', '<', db.fn.now())
        .count({ n: '*' });
      const [expiredChallenges] = await db('webauthn_challenges')
        .where('expires_at', '<', db.fn.now())
        .count({ n: '*' });
      const counts: PurgeableCounts = {
        expired: {
          ...countByModel(expired),
          ...links(expiredLinks),
          ...named(REVOCATION, expiredRevocations?.n),
          ...named(PASSKEY_CHALLENGE, expiredChallenges?.n),
        },
        consumed: { ...countByModel(consumed), ...links(consumedLinks) },
      };
      if (options.auditBefore !== undefined) {
        const [row] = await db('audit_events')
          .where('occurred_at', '<', options.auditBefore)
          .count({ n: '*' });
        counts.auditEvents = Number(row?.n ?? 0);
      }
      return counts;
    },

    /**
     * Deletes up to `limit` expired artifacts; returns how many of each model. The condition is
     * checked again on the row being deleted, so a row whose expiry was just extended survives.
     */
    async deleteExpiredBatch(limit: number): Promise<ArtifactCounts> {
      const rows = await db('oidc_artifacts')
        .whereIn(['model', 'id'], (batch) => {
          batch
            .select('model', 'id')
            .from('oidc_artifacts')
            .where('expires_at', '<', db.fn.now())
            .limit(limit);
        })
        .where('expires_at', '<', db.fn.now())
        .delete()
        .returning('model');
      const mailed = await overMailedTables((table) =>
        db(table)
          .whereIn('id', (batch) => {
            batch.select('id').from(table).where('expires_at', '<', db.fn.now()).limit(limit);
          })
          .delete(),
      );
      // Feed entries past the expiry of every token they could refuse.
      const revocations = await db('revocations')
        .whereIn('seq', (batch) => {
          batch
            .select('seq')
            .from('revocations')
            .where('expires_at', '<', db.fn.now())
            .limit(limit);
        })
        .delete();
      const unanswered = await db('webauthn_challenges')
        .whereIn(['binding', 'purpose'], (batch) => {
          batch
            .select('binding', 'purpose')
            .from('webauthn_challenges')
            .where('expires_at', '<', db.fn.now())
            .limit(limit);
        })
        .where('expires_at', '<', db.fn.now())
        .delete();
      return {
        ...countByModel(rows),
        ...links(mailed),
        ...named(REVOCATION, revocations),
        ...named(PASSKEY_CHALLENGE, unanswered),
      };
    },

    /** Deletes up to `limit` artifacts consumed more than `marginSeconds` ago. */
    async deleteConsumedBatch(marginSeconds: number, limit: number): Promise<ArtifactCounts> {
      const rows = await db('oidc_artifacts')
        .whereIn(['model', 'id'], (batch) => {
          batch
            .select('model', 'id')
            .from('oidc_artifacts')
            .where('consumed_at', '<', consumedBefore(db, marginSeconds))
            .limit(limit);
        })
        .where('consumed_at', '<', consumedBefore(db, marginSeconds))
        .delete()
        .returning('model');
      const mailed = await overMailedTables((table) =>
        db(table)
          .whereIn('id', (batch) => {
            batch
              .select('id')
              .from(table)
              .where('consumed_at', '<', consumedBefore(db, marginSeconds))
              .limit(limit);
          })
          .delete(),
      );
      return { ...countByModel(rows), ...links(mailed) };
    },

    /** Deletes audit events that occurred before `cutoff`; returns how many. */
    deleteAuditBefore: (cutoff: Date): Promise<number> =>
      createAuditRepository(db).deleteBefore(cutoff),

    /**
     * Runs `work` while holding the janitor's advisory lock, on a connection of its own (the lock
     * belongs to a session; if the process dies, PostgreSQL releases it with the connection).
     * Another holder: `work` does not run and `acquired` is false.
     */
    async withLock<T>(
      work: () => Promise<T>,
    ): Promise<{ acquired: true; value: T } | { acquired: false }> {
      const connection = await db.client.acquireConnection();
      try {
        const locked = await db
          .raw(`select pg_try_advisory_lock(${LOCK}) as ok`)
          .connection(connection);
        if (locked.rows[0]?.ok !== true) return { acquired: false };
        try {
          return { acquired: true, value: await work() };
        } finally {
          await db
            .raw(`select pg_advisory_unlock(${LOCK})`)
            .connection(connection)
            .catch(() => {});
        }
      } finally {
        await db.client.releaseConnection(connection);
      }
    },
  };
}

/** The repository {@link createJanitorRepository} returns. */
export type JanitorRepository = ReturnType<typeof createJanitorRepository>;
