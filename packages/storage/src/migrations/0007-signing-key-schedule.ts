import type { Knex } from 'knex';

/**
 * Staged signing-key rotation: a `next` key carries the time it starts signing, a `retired` key
 * the time it leaves the JWKS. At most one key per algorithm is `active` and at most one is
 * `next`, enforced here so that replicas racing through a transition cannot both win.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('signing_keys', (t) => {
    t.timestamp('activates_at', { useTz: true });
    t.timestamp('removes_at', { useTz: true });
  });
  await knex.raw(
    `UPDATE signing_keys SET removes_at = coalesce(retired_at, now()) + interval '1 day' WHERE state = 'retired'`,
  );
  await knex.raw(
    `UPDATE signing_keys SET activates_at = created_at + interval '1 hour' WHERE state = 'next'`,
  );
  await knex.raw(
    `ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_schedule_check CHECK ((state <> 'next' OR activates_at IS NOT NULL) AND (state <> 'retired' OR removes_at IS NOT NULL))`,
  );
  await knex.raw(
    `CREATE UNIQUE INDEX signing_keys_one_active_idx ON signing_keys (alg) WHERE state = 'active'`,
  );
  await knex.raw(
    `CREATE UNIQUE INDEX signing_keys_one_next_idx ON signing_keys (alg) WHERE state = 'next'`,
  );
}

/** Drops the schedule columns and the one-per-algorithm indexes. */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS signing_keys_one_next_idx');
  await knex.raw('DROP INDEX IF EXISTS signing_keys_one_active_idx');
  await knex.raw('ALTER TABLE signing_keys DROP CONSTRAINT IF EXISTS signing_keys_schedule_check');
  await knex.schema.alterTable('signing_keys', (t) => {
    t.dropColumn('activates_at');
    t.dropColumn('removes_at');
  });
}
