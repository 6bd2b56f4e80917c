import type { Database } from '../database.ts';

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

/**
 * SQL for oidc-provider's models (sessions, grants, codes, tokens, ...) in one table. Expired rows
 * are never returned, whether or not the janitor has deleted them yet.
 */
export function createArtifactsRepository(db: Database) {
  const table = () => db<ArtifactRow>('oidc_artifacts');
  const live = (query: ReturnType<typeof table>) =>
    query.where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now()));
  const toArtifact = (
    row: Pick<ArtifactRow, 'payload' | 'consumed_at'> | undefined,
  ): StoredArtifact | undefined =>
    row
      ? {
          payload: row.payload,
          consumedAt: row.consumed_at ? row.consumed_at.getTime() / 1000 : undefined,
        }
      : undefined;

  return {
    /** Inserts or replaces an artifact; `expiresInSeconds` undefined means it never expires. */
    async upsert(
      model: string,
      id: string,
      payload: Record<string, unknown>,
      expiresInSeconds: number | undefined,
    ): Promise<void> {
      const row = {
        model,
        id,
        payload: JSON.stringify(payload),
        grant_id: stringOrNull(payload.grantId),
        uid: stringOrNull(payload.uid),
        user_code: stringOrNull(payload.userCode),
        expires_at:
          expiresInSeconds === undefined
            ? null
            : db.raw(`now() + make_interval(secs => ?)`, [expiresInSeconds]),
        consumed_at: null,
      };
      await db('oidc_artifacts').insert(row).onConflict(['model', 'id']).merge();
    },

    async find(model: string, id: string): Promise<StoredArtifact | undefined> {
      return toArtifact(await live(table().where({ model, id })).first('payload', 'consumed_at'));
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
    async consume(model: string, id: string): Promise<boolean> {
      const updated = await live(
        db('oidc_artifacts').where({ model, id }).whereNull('consumed_at'),
      ).update({ consumed_at: db.fn.now() });
      return updated === 1;
    },

    async destroy(model: string, id: string): Promise<void> {
      await db('oidc_artifacts').where({ model, id }).delete();
    },

    /** Deletes the grant the artifact belongs to, the Grant itself and everything issued from it. */
    async revokeGrantOf(model: string, id: string): Promise<void> {
      const row = await db('oidc_artifacts').where({ model, id }).first('grant_id');
      const grantId = row?.grant_id as string | undefined;
      if (!grantId) return;
      await db('oidc_artifacts')
        .where({ grant_id: grantId })
        .orWhere({ model: 'Grant', id: grantId })
        .delete();
    },

    /** Deletes every artifact of the grant, whatever its model. */
    async revokeByGrantId(grantId: string): Promise<number> {
      return db('oidc_artifacts').where({ grant_id: grantId }).delete();
    },
  };
}

/** The repository {@link createArtifactsRepository} returns. */
export type ArtifactsRepository = ReturnType<typeof createArtifactsRepository>;

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
