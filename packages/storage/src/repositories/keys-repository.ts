import type { Database } from '../database.ts';
import { notifyChange } from '../notifications.ts';

/** Where a signing key is in its life: published only, signing, or published until unused. */
export type KeyState = 'next' | 'active' | 'retired';

/** A signing key; the private part stays encrypted here. */
export interface SigningKeyRecord {
  kid: string;
  alg: string;
  state: KeyState;
  publicJwk: Record<string, unknown>;
  privateJwkEncrypted: string;
  createdAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
}

interface KeyRow {
  kid: string;
  alg: string;
  state: KeyState;
  public_jwk: Record<string, unknown>;
  private_jwk_encrypted: string;
  created_at: Date;
  activated_at: Date | null;
  retired_at: Date | null;
}

const toKey = (row: KeyRow): SigningKeyRecord => ({
  kid: row.kid,
  alg: row.alg,
  state: row.state,
  publicJwk: row.public_jwk,
  privateJwkEncrypted: row.private_jwk_encrypted,
  createdAt: row.created_at,
  activatedAt: row.activated_at,
  retiredAt: row.retired_at,
});

/** Signing keys. */
export function createKeysRepository(db: Database) {
  return {
    async list(): Promise<SigningKeyRecord[]> {
      const rows = await db<KeyRow>('signing_keys').orderBy('created_at').orderBy('kid');
      return rows.map(toKey);
    },

    /**
     * Inserts the given active keys unless an active key already exists, under an advisory lock,
     * so replicas starting together on an empty database agree on one set of keys. Returns the
     * active keys after the call.
     */
    async ensureActive(
      create: () => Promise<
        Array<Omit<SigningKeyRecord, 'createdAt' | 'activatedAt' | 'retiredAt' | 'state'>>
      >,
    ): Promise<SigningKeyRecord[]> {
      return db.transaction(async (trx) => {
        await trx.raw(`select pg_advisory_xact_lock(hashtext('portcullis.signing_keys'))`);
        const existing = await trx<KeyRow>('signing_keys').where({ state: 'active' });
        if (existing.length > 0) return existing.map(toKey);
        const keys = await create();
        const rows = await trx<KeyRow>('signing_keys')
          .insert(
            keys.map((k) => ({
              kid: k.kid,
              alg: k.alg,
              state: 'active' as const,
              public_jwk: JSON.stringify(k.publicJwk) as unknown as Record<string, unknown>,
              private_jwk_encrypted: k.privateJwkEncrypted,
              activated_at: trx.fn.now() as unknown as Date,
            })),
          )
          .returning('*');
        await notifyChange(trx, { kind: 'key', id: '*' });
        return (rows as KeyRow[]).map(toKey);
      });
    },
  };
}

/** The repository {@link createKeysRepository} returns. */
export type KeysRepository = ReturnType<typeof createKeysRepository>;
