import type { Knex } from 'knex';
import type { Database } from '../database.ts';
import { StorageError } from '../errors.ts';
import { notifyChange } from '../notifications.ts';
import { createAuditRepository } from './audit-repository.ts';

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
  /** For a `next` key: when it starts signing. */
  activatesAt: Date | null;
  /** For a `retired` key: when it leaves the JWKS (and the database). */
  removesAt: Date | null;
}

/** A freshly generated key, as {@link KeysRepository} stores it. */
export type NewSigningKey = Pick<
  SigningKeyRecord,
  'kid' | 'alg' | 'publicJwk' | 'privateJwkEncrypted'
>;

/** The published keys and the database's clock, read together. */
export interface KeySnapshot {
  keys: SigningKeyRecord[];
  /** The database's time when the keys were read: schedules are in its clock, not ours. */
  now: Date;
}

/** How long a retired key stays published, and who the audit trail names. */
export interface RetirementPolicy {
  /**
   * The longest lifetime of a token we sign other than access tokens (ID tokens), in seconds.
   * The longest access-token lifetime configured on any resource or client is added to the
   * comparison from the database.
   */
  minimumTokenLifetimeSeconds: number;
  /** Added to the longest lifetime: resource servers' clock tolerance and clock skew. */
  leewaySeconds: number;
}

/** What one {@link KeysRepository.advance} did. */
export interface KeyTransitions {
  activated: SigningKeyRecord[];
  retired: SigningKeyRecord[];
  removed: SigningKeyRecord[];
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
  activates_at: Date | null;
  removes_at: Date | null;
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
  activatesAt: row.activates_at,
  removesAt: row.removes_at,
});

const LOCK = `select pg_advisory_xact_lock(hashtext('portcullis.signing_keys'))`;

const insertRow = (trx: Knex, key: NewSigningKey, state: KeyState) => ({
  kid: key.kid,
  alg: key.alg,
  state,
  public_jwk: JSON.stringify(key.publicJwk) as unknown as Record<string, unknown>,
  private_jwk_encrypted: key.privateJwkEncrypted,
  activated_at: state === 'active' ? (trx.fn.now() as unknown as Date) : null,
});

/**
 * Seconds a key retired now must stay published: the longest access-token lifetime of any
 * resource or client (or `minimumTokenLifetimeSeconds`, if longer), plus the leeway.
 */
async function retentionSeconds(trx: Knex, policy: RetirementPolicy): Promise<number> {
  const result = await trx.raw<{ rows: Array<{ longest: number | null }> }>(
    `select greatest(
       (select max(access_token_ttl) from resources),
       (select max(access_token_ttl) from clients)
     ) as longest`,
  );
  const longest = Number(result.rows[0]?.longest ?? 0);
  return Math.max(longest, policy.minimumTokenLifetimeSeconds) + policy.leewaySeconds;
}

/**
 * Signing keys and their lifecycle. Every change runs in one transaction under one advisory
 * lock (so the CLI and any number of server replicas agree on each step), records its audit
 * events in that transaction, and announces itself with `notifyChange({ kind: 'key' })`.
 *
 * @example
 * const keys = createKeysRepository(db);
 * await keys.stage(generated, { activatesInSeconds: 3600, actor: 'cli:alice' });
 * const { activated } = await keys.advance(policy); // on a timer, on every replica
 */
export function createKeysRepository(db: Database) {
  /** Retires the active key of `alg` (or deletes it when `remove`), recording why. */
  async function retireActive(
    trx: Knex,
    alg: string,
    options: { retainSeconds: number; actor: string; remove: boolean; reason: string },
  ): Promise<SigningKeyRecord | undefined> {
    const audit = createAuditRepository(trx);
    if (options.remove) {
      const [row] = (await trx<KeyRow>('signing_keys')
        .where({ alg, state: 'active' })
        .delete()
        .returning('*')) as KeyRow[];
      if (!row) return undefined;
      await audit.record({
        type: 'key.removed',
        actor: options.actor,
        details: { kid: row.kid, alg, reason: options.reason },
      });
      return toKey(row);
    }
    const [row] = (await trx<KeyRow>('signing_keys')
      .where({ alg, state: 'active' })
      .update({
        state: 'retired',
        retired_at: trx.fn.now() as unknown as Date,
        removes_at: trx.raw(`now() + make_interval(secs => ?)`, [
          options.retainSeconds,
        ]) as unknown as Date,
      })
      .returning('*')) as KeyRow[];
    if (!row) return undefined;
    await audit.record({
      type: 'key.retired',
      actor: options.actor,
      details: {
        kid: row.kid,
        alg,
        removes_at: row.removes_at?.toISOString(),
        reason: options.reason,
      },
    });
    return toKey(row);
  }

  return {
    /** Every stored key, oldest first. */
    async list(): Promise<SigningKeyRecord[]> {
      const rows = await db<KeyRow>('signing_keys').orderBy('created_at').orderBy('kid');
      return rows.map(toKey);
    },

    /** Every stored key, with the database's current time. */
    async snapshot(): Promise<KeySnapshot> {
      // now() is the transaction's start: the same instant for the clock and the rows.
      return db.transaction(async (trx) => {
        const result = await trx.raw<{ rows: Array<{ now: Date }> }>('select now() as now');
        const rows = await trx<KeyRow>('signing_keys').orderBy('created_at').orderBy('kid');
        return { keys: rows.map(toKey), now: result.rows[0]?.now as Date };
      });
    },

    /**
     * Inserts the given active keys unless an active key already exists, under an advisory lock,
     * so replicas starting together on an empty database agree on one set of keys. Returns the
     * active keys after the call.
     */
    async ensureActive(create: () => Promise<NewSigningKey[]>): Promise<SigningKeyRecord[]> {
      return db.transaction(async (trx) => {
        await trx.raw(LOCK);
        const existing = await trx<KeyRow>('signing_keys').where({ state: 'active' });
        if (existing.length > 0) return existing.map(toKey);
        const keys = await create();
        const rows = (await trx<KeyRow>('signing_keys')
          .insert(keys.map((k) => insertRow(trx, k, 'active')))
          .returning('*')) as KeyRow[];
        const audit = createAuditRepository(trx);
        for (const row of rows) {
          await audit.record({
            type: 'key.activated',
            actor: 'system',
            details: { kid: row.kid, alg: row.alg, reason: 'first start' },
          });
        }
        await notifyChange(trx, { kind: 'key', id: '*' });
        return rows.map(toKey);
      });
    },

    /**
     * Publishes `keys` as `next` keys that start signing `activatesInSeconds` from now (by the
     * database's clock). Refuses with a `conflict` when an algorithm already has a staged key.
     */
    async stage(
      keys: NewSigningKey[],
      options: { activatesInSeconds: number; actor: string },
    ): Promise<SigningKeyRecord[]> {
      return db.transaction(async (trx) => {
        await trx.raw(LOCK);
        const pending = await trx<KeyRow>('signing_keys')
          .where({ state: 'next' })
          .whereIn(
            'alg',
            keys.map((k) => k.alg),
          );
        const [first] = pending;
        if (first) {
          throw new StorageError(
            'conflict',
            `a rotation of ${first.alg} is already staged: key ${first.kid} signs from ${first.activates_at?.toISOString()}`,
          );
        }
        const rows = (await trx<KeyRow>('signing_keys')
          .insert(
            keys.map((k) => ({
              ...insertRow(trx, k, 'next'),
              activates_at: trx.raw(`now() + make_interval(secs => ?)`, [
                options.activatesInSeconds,
              ]) as unknown as Date,
            })),
          )
          .returning('*')) as KeyRow[];
        const audit = createAuditRepository(trx);
        for (const row of rows) {
          await audit.record({
            type: 'key.staged',
            actor: options.actor,
            details: {
              kid: row.kid,
              alg: row.alg,
              activates_at: row.activates_at?.toISOString(),
            },
          });
        }
        await notifyChange(trx, { kind: 'key', id: '*' });
        return rows.map(toKey);
      });
    },

    /**
     * Emergency rotation: `keys` sign at once. The key each replaces is retired (published until
     * its tokens expire) or, with `removeOld`, deleted at once, so tokens it signed stop
     * verifying. A staged `next` key of the same algorithm is dropped: it never signed anything.
     * Returns the new keys and the keys they replaced.
     */
    async replace(
      keys: NewSigningKey[],
      options: { removeOld: boolean; actor: string; policy: RetirementPolicy },
    ): Promise<{ activated: SigningKeyRecord[]; replaced: SigningKeyRecord[] }> {
      return db.transaction(async (trx) => {
        await trx.raw(LOCK);
        const audit = createAuditRepository(trx);
        const retainSeconds = await retentionSeconds(trx, options.policy);
        const activated: SigningKeyRecord[] = [];
        const replaced: SigningKeyRecord[] = [];
        for (const key of keys) {
          const dropped = (await trx<KeyRow>('signing_keys')
            .where({ alg: key.alg, state: 'next' })
            .delete()
            .returning('*')) as KeyRow[];
          for (const row of dropped) {
            await audit.record({
              type: 'key.removed',
              actor: options.actor,
              details: {
                kid: row.kid,
                alg: row.alg,
                reason: 'superseded by an immediate rotation',
              },
            });
          }
          const old = await retireActive(trx, key.alg, {
            retainSeconds,
            actor: options.actor,
            remove: options.removeOld,
            reason: options.removeOld ? 'revoked by an immediate rotation' : 'immediate rotation',
          });
          if (old) replaced.push(old);
          const [row] = (await trx<KeyRow>('signing_keys')
            .insert(insertRow(trx, key, 'active'))
            .returning('*')) as KeyRow[];
          const added = toKey(row as KeyRow);
          activated.push(added);
          await audit.record({
            type: 'key.activated',
            actor: options.actor,
            details: { kid: added.kid, alg: added.alg, reason: 'immediate rotation' },
          });
        }
        await notifyChange(trx, { kind: 'key', id: '*' });
        return { activated, replaced };
      });
    },

    /**
     * Performs every transition whose time has come, by the database's clock: a `next` key
     * past its `activates_at` starts signing and the active key of its algorithm is retired
     * (published for as long as `policy` says); a retired key past its `removes_at` is deleted.
     * Safe to call from every replica at once: the lock makes one of them do each step, the
     * others find nothing to do.
     */
    async advance(policy: RetirementPolicy, actor = 'system'): Promise<KeyTransitions> {
      return db.transaction(async (trx) => {
        await trx.raw(LOCK);
        const audit = createAuditRepository(trx);
        const done: KeyTransitions = { activated: [], retired: [], removed: [] };
        const due = await trx<KeyRow>('signing_keys')
          .where({ state: 'next' })
          .where('activates_at', '<=', trx.fn.now())
          .orderBy('alg');
        const retainSeconds = due.length > 0 ? await retentionSeconds(trx, policy) : 0;
        for (const next of due) {
          const old = await retireActive(trx, next.alg, {
            retainSeconds,
            actor,
            remove: false,
            reason: `replaced by ${next.kid}`,
          });
          if (old) done.retired.push(old);
          const [row] = (await trx<KeyRow>('signing_keys')
            .where({ kid: next.kid })
            .update({ state: 'active', activated_at: trx.fn.now() as unknown as Date })
            .returning('*')) as KeyRow[];
          const activated = toKey(row as KeyRow);
          done.activated.push(activated);
          await audit.record({
            type: 'key.activated',
            actor,
            details: { kid: activated.kid, alg: activated.alg, reason: 'staged rotation' },
          });
        }
        const expired = (await trx<KeyRow>('signing_keys')
          .where({ state: 'retired' })
          .where('removes_at', '<=', trx.fn.now())
          .delete()
          .returning('*')) as KeyRow[];
        for (const row of expired) {
          done.removed.push(toKey(row));
          await audit.record({
            type: 'key.removed',
            actor,
            details: { kid: row.kid, alg: row.alg, reason: 'every token it signed has expired' },
          });
        }
        if (done.activated.length + done.removed.length > 0) {
          await notifyChange(trx, { kind: 'key', id: '*' });
        }
        return done;
      });
    },
  };
}

/** The repository {@link createKeysRepository} returns. */
export type KeysRepository = ReturnType<typeof createKeysRepository>;
