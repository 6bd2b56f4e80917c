import type { Database } from '../database.ts';
import { notifyChange } from '../notifications.ts';

/** A back-channel logout owed to a client: the user's session with it ended. */
export interface LogoutNotice {
  clientId: string;
  accountId: string;
  /** The session's id for that client (oidc-provider's `sid`), when the session had one. */
  sid: string | null;
  createdAt: Date;
}

interface LogoutNoticeRow {
  id: string;
  client_id: string;
  account_id: string;
  sid: string | null;
  created_at: Date;
}

/**
 * Records, before `userId`'s sessions are deleted in SQL, a logout notice for every client that
 * was signed in through one of them and registered a back-channel logout URI, and announces it
 * on the change channel (on commit, inside a transaction). `keepSession` (a stored session's id)
 * is left out: it is not ended. Returns how many notices were written. Call it in the
 * transaction that deletes the sessions, so a notice exists exactly when its session is gone.
 *
 * @example
 * await noticeLogouts(trx, userId);
 * await trx('oidc_artifacts').whereRaw(`payload->>'accountId' = ?`, [userId]).delete();
 */
export async function noticeLogouts(
  db: Database,
  userId: string,
  options: { keepSession?: string } = {},
): Promise<number> {
  // oidc-provider keeps, in a session's payload, `authorizations`: one entry per client the user
  // signed in to through it, with that client's `sid`.
  const result = await db.raw<{ rowCount: number }>(
    `INSERT INTO logout_notices (client_id, account_id, sid)
       SELECT DISTINCT a.key, s.payload->>'accountId', a.value->>'sid'
         FROM oidc_artifacts s
         CROSS JOIN LATERAL jsonb_each(
           CASE WHEN jsonb_typeof(s.payload->'authorizations') = 'object'
                THEN s.payload->'authorizations' ELSE '{}'::jsonb END) a
         JOIN clients c ON c.id = a.key AND c.backchannel_logout_uri IS NOT NULL
        WHERE s.model = 'Session' AND s.payload->>'accountId' = ?
          AND (?::text IS NULL OR s.id <> ?::text)`,
    [userId, options.keepSession ?? null, options.keepSession ?? null],
  );
  const written = result.rowCount ?? 0;
  if (written > 0) await notifyChange(db, { kind: 'logout', id: userId });
  return written;
}

/**
 * The notices waiting for a server to send their logout tokens. `take` removes up to `limit` of
 * them and returns them, oldest first; of servers taking at the same time, each notice goes to
 * exactly one (rows locked by another are skipped, not waited for).
 *
 * @example
 * for (const notice of await createLogoutNoticesRepository(db).take(100)) await send(notice);
 */
export function createLogoutNoticesRepository(db: Database) {
  return {
    async take(limit: number): Promise<LogoutNotice[]> {
      const rows = (await db('logout_notices')
        .whereIn(
          'id',
          db('logout_notices').select('id').orderBy('id').limit(limit).forUpdate().skipLocked(),
        )
        .delete()
        .returning('*')) as LogoutNoticeRow[];
      return rows
        .sort((a, b) => Number(a.id) - Number(b.id))
        .map((row) => ({
          clientId: row.client_id,
          accountId: row.account_id,
          sid: row.sid,
          createdAt: row.created_at,
        }));
    },
  };
}

/** The repository {@link createLogoutNoticesRepository} returns. */
export type LogoutNoticesRepository = ReturnType<typeof createLogoutNoticesRepository>;
