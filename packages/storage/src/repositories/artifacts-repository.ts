import type { Knex } from 'knex';
import type { Database } from '../database.ts';
import { auditRow, type NewAuditEvent } from './audit-repository.ts';
import { type NewRevocation, publishRevocations } from './revocations-repository.ts';

/** An oidc-provider artifact as stored: its payload plus the consumption time, if any. */
export interface StoredArtifact {
  payload: Record<string, unknown>;
  /** Seconds since the epoch (with milliseconds) when it was consumed, or undefined. */
  consumedAt: number | undefined;
}

interface ArtifactRow {
  model: string;
  id: string;
  payload: Record<string, unknown>;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: Date | null;
  consumed_at: Date | null;
}

/** An artifact's row with its session's and grant's (findWithSessionAndGrant). */
interface RelatedRow {
  payload: Record<string, unknown>;
  consumed_at: Date | null;
  session_payload: Record<string, unknown> | null;
  session_consumed_at: Date | null;
  grant_payload: Record<string, unknown> | null;
  grant_consumed_at: Date | null;
}

/**
 * SQL for oidc-provider's models (sessions, grants, codes, tokens, ...) in one table. Expired rows
 * are never returned, whether or not the janitor has deleted them yet.
 */
export function createArtifactsRepository(db: Database) {
  const table = () => db<ArtifactRow>('oidc_artifacts');
  const live = (query: ReturnType<typeof table>) =>
    query.where((q) => {
      q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now());
    });
  const toArtifact = (
    row: Pick<ArtifactRow, 'payload' | 'consumed_at'> | undefined,
  ): StoredArtifact | undefined =>
    row
      ? {
          payload: row.payload,
          consumedAt: row.consumed_at ? row.consumed_at.getTime() / 1000 : undefined,
        }
      : undefined;

  const consume = async (model: string, id: string): Promise<boolean> => {
    const updated = await live(
      db('oidc_artifacts').where({ model, id }).whereNull('consumed_at'),
    ).update({ consumed_at: db.fn.now() });
    return updated === 1;
  };

  return {
    /** Inserts or replaces an artifact; `expiresInSeconds` undefined means it never expires. */
    async upsert(
      model: string,
      id: string,
      payload: Record<string, unknown>,
      expiresInSeconds: number | undefined,
    ): Promise<void> {
      await upsertWith(db, { model, id, payload, expiresInSeconds });
    },

    /**
     * Writes one artifact or several (each inserted or replaced, with its user-code key when it
     * has one); with `companions`, in the same statement, deletes those artifacts and appends
     * those audit events (a request's writes that waited for its next one). One statement: all
     * of it or none. The artifacts written must have distinct keys, none of them deleted.
     */
    async write(
      writes: ArtifactWrite | readonly ArtifactWrite[],
      companions?: CompanionWrites,
    ): Promise<void> {
      await upsertWith(db, writes, companions);
    },

    /** Writes `companions` alone, in one statement (nothing else came to carry them). */
    async writeCompanions(companions: CompanionWrites): Promise<void> {
      await withCompanions(db, db.queryBuilder(), companions).select(db.raw('1'));
    },

    /**
     * Inserts an artifact only if no live one has its key: of concurrent callers with the same
     * key exactly one gets `true` (an expired row left for the janitor is replaced). For replay
     * detection, where a second use must lose even when the uses race.
     *
     * @example
     * const first = await artifacts.insertIfAbsent({ model: 'ReplayDetection', id, payload: {}, expiresInSeconds: 60 });
     */
    async insertIfAbsent(
      write: Pick<ArtifactWrite, 'model' | 'id' | 'payload'> & { expiresInSeconds: number },
    ): Promise<boolean> {
      const { model, id, payload, expiresInSeconds } = write;
      const result = await db.raw(
        `insert into oidc_artifacts (model, id, payload, expires_at)
         values (?, ?, ?::jsonb, now() + make_interval(secs => ?))
         on conflict (model, id) do update
           set payload = excluded.payload, expires_at = excluded.expires_at, consumed_at = null
           where oidc_artifacts.expires_at is not null and oidc_artifacts.expires_at <= now()
         returning id`,
        [model, id, JSON.stringify(payload), expiresInSeconds],
      );
      return (result as { rowCount: number }).rowCount === 1;
    },

    /**
     * Consumes single-use artifacts and writes what was issued from them, in one transaction:
     * all of it or none. Returns false, writing nothing, when one of them was already consumed
     * (or expired) — of concurrent callers exactly one gets `true`. A database that goes away in
     * the middle leaves everything as it was, so the artifacts can be used again.
     *
     * @example
     * const won = await artifacts.consumeAndUpsert(
     *   [{ model: 'RefreshToken', id: old }],
     *   [{ model: 'RefreshToken', id: next, payload, expiresInSeconds: 3600 }],
     * );
     */
    async consumeAndUpsert(
      consumed: ReadonlyArray<{ model: string; id: string }>,
      writes: ReadonlyArray<ArtifactWrite>,
    ): Promise<boolean> {
      // One consumption and nothing issued (a code redeemed for a JWT access token alone): one
      // conditional UPDATE is atomic by itself, without BEGIN and COMMIT around it.
      const [only] = consumed;
      if (consumed.length === 1 && only && writes.length === 0) {
        return consume(only.model, only.id);
      }
      const lost = new Error('already consumed');
      try {
        await db.transaction(async (trx) => {
          for (const { model, id } of consumed) {
            const updated = await trx('oidc_artifacts')
              .where({ model, id })
              .whereNull('consumed_at')
              .where((q) => {
                q.whereNull('expires_at').orWhere('expires_at', '>', trx.fn.now());
              })
              .update({ consumed_at: trx.fn.now() });
            if (updated !== 1) throw lost;
          }
          for (const write of writes) await upsertWith(trx, write);
        });
        return true;
      } catch (error) {
        if (error === lost) return false;
        throw error;
      }
    },

    async find(model: string, id: string): Promise<StoredArtifact | undefined> {
      return toArtifact(await live(table().where({ model, id })).first('payload', 'consumed_at'));
    },

    /**
     * An artifact with, in the same statement, the session of its `sessionUid` and the grant of
     * its `grantId` (a code's or a refresh token's, which the token endpoint reads next): each
     * undefined when its payload names none, null when none is live.
     *
     * @example
     * const found = await artifacts.findWithSessionAndGrant('AuthorizationCode', key);
     */
    async findWithSessionAndGrant(
      model: string,
      id: string,
    ): Promise<
      | {
          artifact: StoredArtifact;
          session: StoredArtifact | null | undefined;
          grant: StoredArtifact | null | undefined;
        }
      | undefined
    > {
      const live = (alias: string) =>
        `(${alias}.expires_at is null or ${alias}.expires_at > CURRENT_TIMESTAMP)`;
      const result = await db.raw<{ rows: RelatedRow[] }>(
        `select a.payload, a.consumed_at,
                s.payload as session_payload, s.consumed_at as session_consumed_at,
                g.payload as grant_payload, g.consumed_at as grant_consumed_at
           from "oidc_artifacts" a
           left join "oidc_artifacts" s
             on s.model = 'Session' and s.uid = a.payload->>'sessionUid' and ${live('s')}
           left join "oidc_artifacts" g
             on g.model = 'Grant' and g.id = a.payload->>'grantId' and ${live('g')}
          where a.model = ? and a.id = ? and ${live('a')}
          limit 1`,
        [model, id],
      );
      const row = result.rows[0];
      const artifact = toArtifact(row);
      if (!row || !artifact) return undefined;
      const related = (
        key: string,
        payload: ArtifactRow['payload'] | null,
        consumed: Date | null,
      ) =>
        typeof artifact.payload[key] !== 'string'
          ? undefined
          : (toArtifact(payload ? { payload, consumed_at: consumed } : undefined) ?? null);
      return {
        artifact,
        session: related('sessionUid', row.session_payload, row.session_consumed_at),
        grant: related('grantId', row.grant_payload, row.grant_consumed_at),
      };
    },

    async findByUid(model: string, uid: string): Promise<StoredArtifact | undefined> {
      return toArtifact(await live(table().where({ model, uid })).first('payload', 'consumed_at'));
    },

    async findByUserCode(model: string, userCode: string): Promise<StoredArtifact | undefined> {
      return toArtifact(
        await live(table().where({ model, user_code: userCode })).first('payload', 'consumed_at'),
      );
    },

    /**
     * Marks the artifact consumed if it is live and not consumed yet, in one conditional UPDATE:
     * of any number of concurrent callers exactly one gets `true`.
     */
    consume,

    /**
     * Moves a live artifact's expiry to `expiresInSeconds` from now, its payload untouched (a
     * sliding idle timeout, which must not write back a payload another request just replaced);
     * false when there is no live artifact to extend.
     *
     * @example
     * const live = await artifacts.extend('AdminConsoleSession', digest, 1800);
     */
    async extend(model: string, id: string, expiresInSeconds: number): Promise<boolean> {
      const updated = await live(db('oidc_artifacts').where({ model, id })).update({
        expires_at: db.raw('now() + make_interval(secs => ?)', [expiresInSeconds]),
      });
      return updated === 1;
    },

    async destroy(model: string, id: string): Promise<void> {
      await db('oidc_artifacts').where({ model, id }).delete();
    },

    /**
     * Deletes the grant the artifact belongs to, the Grant itself and everything issued from it,
     * and publishes the grant on the revocation feed, in one transaction.
     */
    async revokeGrantOf(model: string, id: string): Promise<void> {
      const row = await db('oidc_artifacts').where({ model, id }).first('grant_id');
      const grantId = row?.grant_id as string | undefined;
      if (!grantId) return;
      await db.transaction(async (trx) => {
        await trx('oidc_artifacts')
          .where({ grant_id: grantId })
          .orWhere({ model: 'Grant', id: grantId })
          .delete();
        await publishRevocations(trx, [{ kind: 'grant', value: grantId }]);
      });
    },

    /**
     * Deletes every artifact of the grant, whatever its model, and publishes the grant on the
     * revocation feed (its JWT access tokens are not stored), in one transaction.
     */
    async revokeByGrantId(grantId: string): Promise<number> {
      return db.transaction(async (trx) => {
        const deleted = await trx('oidc_artifacts').where({ grant_id: grantId }).delete();
        await publishRevocations(trx, [{ kind: 'grant', value: grantId }]);
        return deleted;
      });
    },

    /**
     * Deletes what an operator revokes, in one statement, and counts it by model:
     * - `grantId`: the Grant and everything issued from it;
     * - `clientId`: every grant, code and token of the client;
     * - `accountId`: every grant, code and token of the user, and their sessions (signed out);
     * - `clientId` with `accountId`: the user's grants to that client and what came from them.
     */
    async revoke(
      target: { grantId: string } | { clientId?: string; accountId?: string },
    ): Promise<ArtifactCounts> {
      const query = db('oidc_artifacts');
      if ('grantId' in target) {
        query.where((q) => {
          q.where({ model: 'Grant', id: target.grantId }).orWhere({ grant_id: target.grantId });
        });
      } else {
        const { clientId, accountId } = target;
        if (clientId === undefined && accountId === undefined) {
          throw new TypeError('revoke: give grantId, clientId or accountId');
        }
        // Sessions carry the account but no client, so only a user-wide revocation ends them.
        const owned = (q: ReturnType<typeof table>) => {
          if (clientId !== undefined) q.whereRaw(`payload->>'clientId' = ?`, [clientId]);
          if (accountId !== undefined) q.whereRaw(`payload->>'accountId' = ?`, [accountId]);
        };
        query.where((q) => {
          q.where(owned).orWhereIn('grant_id', (grants) => {
            grants.select('id').from('oidc_artifacts').where({ model: 'Grant' }).where(owned);
          });
        });
      }
      // Run by the caller's transaction (tokens revoke), with the feed entries it publishes.
      const rows: Array<{ model: string; id: string }> = await query
        .delete()
        .returning(['model', 'id']);
      await publishRevocations(db, revocationsOf(target, rows));
      return countByModel(rows);
    },
  };
}

// What the revocation feed must carry for an operator's revocation: every grant deleted, and the
// user or the client itself when the whole of it was revoked (its client-credentials tokens and
// the JWTs of grants already gone).
function revocationsOf(
  target: { grantId: string } | { clientId?: string; accountId?: string },
  deleted: ReadonlyArray<{ model: string; id: string }>,
): NewRevocation[] {
  const entries: NewRevocation[] = deleted
    .filter((row) => row.model === 'Grant')
    .map((row) => ({ kind: 'grant', value: row.id }));
  if ('grantId' in target) {
    if (!entries.some((entry) => entry.value === target.grantId)) {
      entries.push({ kind: 'grant', value: target.grantId });
    }
  } else if (target.accountId !== undefined && target.clientId === undefined) {
    entries.push({ kind: 'subject', value: target.accountId });
  } else if (target.clientId !== undefined && target.accountId === undefined) {
    entries.push({ kind: 'client', value: target.clientId });
  }
  return entries;
}

/** How many artifacts of each oidc-provider model (Grant, AccessToken, ...) an operation touched. */
export type ArtifactCounts = Record<string, number>;

/** Tallies rows by their `model`. */
export function countByModel(rows: ReadonlyArray<{ model: string; n?: number | string }>) {
  const counts: ArtifactCounts = {};
  for (const row of rows) counts[row.model] = (counts[row.model] ?? 0) + Number(row.n ?? 1);
  return counts;
}

/** An artifact to insert or replace; `expiresInSeconds` undefined means it never expires. */
export interface ArtifactWrite {
  model: string;
  id: string;
  payload: Record<string, unknown>;
  expiresInSeconds: number | undefined;
  /** What `findByUserCode` looks it up by; default: the payload's `userCode`. */
  userCode?: string;
  /**
   * Takes over the row of the same model and `uid` (its payload's) under this id, in place: a
   * session's rotation to a new id, whose old id is deleted in the same statement (a deletion
   * and an insert of the same uid in one statement would break the unique index on both).
   */
  takesOverUid?: boolean;
}

/**
 * Deletions of artifacts (by model and stored key) and audit events that ride with an artifact
 * write as common table expressions: one statement, all of it or none.
 */
export interface CompanionWrites {
  destroy: ReadonlyArray<{ model: string; id: string }>;
  audits: ReadonlyArray<NewAuditEvent>;
}

function withCompanions(
  db: Database,
  query: Knex.QueryBuilder,
  companions?: CompanionWrites,
  kept: ReadonlyArray<{ model: string; uid: string }> = [],
) {
  if (companions?.destroy.length) {
    const keys = companions.destroy.map(({ model, id }) => [model, id]);
    const deletion = db('oidc_artifacts').whereIn(['model', 'id'], keys);
    // A row an artifact of the statement takes over (its uid) is renamed by that write, not
    // deleted: one statement must not change a row twice.
    for (const { model, uid } of kept) {
      deletion.whereRaw('("model", "uid") is distinct from (?, ?)', [model, uid]);
    }
    query.with('destroyed', deletion.delete());
  }
  if (companions?.audits.length) {
    // One multi-row insert: the events keep their order in the trail.
    query.with('audited', db('audit_events').insert(companions.audits.map(auditRow)));
  }
  return query;
}

function insertOf(db: Database, query: Knex.QueryBuilder, write: ArtifactWrite) {
  const { model, id, payload, expiresInSeconds, userCode } = write;
  const uid = stringOrNull(payload.uid);
  const row = {
    model,
    id,
    payload: JSON.stringify(payload),
    grant_id: stringOrNull(payload.grantId),
    uid,
    user_code: userCode ?? stringOrNull(payload.userCode),
    expires_at:
      expiresInSeconds === undefined
        ? null
        : db.raw(`now() + make_interval(secs => ?)`, [expiresInSeconds]),
    consumed_at: null,
  };
  // The unique index on model and uid is partial (uid not null): its predicate is named.
  const insert = query.insert(row);
  const conflict =
    write.takesOverUid && uid !== null
      ? insert.onConflict(db.raw('("model", "uid") where "uid" is not null'))
      : insert.onConflict(['model', 'id']);
  return conflict.merge();
}

async function upsertWith(
  db: Database,
  writes: ArtifactWrite | readonly ArtifactWrite[],
  companions?: CompanionWrites,
): Promise<void> {
  const [first, ...others] = Array.isArray(writes) ? writes : [writes as ArtifactWrite];
  if (!first) {
    if (companions) await withCompanions(db, db.queryBuilder(), companions).select(db.raw('1'));
    return;
  }
  const kept = [first, ...others].flatMap((write) => {
    const uid = stringOrNull(write.payload.uid);
    return write.takesOverUid && uid !== null ? [{ model: write.model, uid }] : [];
  });
  const query = withCompanions(db, db('oidc_artifacts'), companions, kept);
  // The other artifacts as common table expressions of the first one's insert.
  others.forEach((write, i) => {
    query.with(`written_${i}`, insertOf(db, db('oidc_artifacts'), write));
  });
  await insertOf(db, query, first);
}

/** The repository {@link createArtifactsRepository} returns. */
export type ArtifactsRepository = ReturnType<typeof createArtifactsRepository>;

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
