import type { Knex } from 'knex';

/**
 * Second factors (issue 13, item 1). `user_factors` holds one row per factor of a user, of a
 * kind (`totp` now; a passkey becomes another kind with its own `secret` and `label`, so the
 * sign-in step needs no new table): the TOTP seed only encrypted under the key-encryption key,
 * the last time step accepted (a code is refused a second time), and when the enrolment was
 * confirmed (an unconfirmed row is an enrolment in progress and never a factor).
 * `user_recovery_codes` holds the ten single-use codes, only as SHA-256 digests. Clients get
 * `require_mfa`: their users must pass a second factor. Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('user_factors', (t) => {
    t.text('id').primary();
    t.text('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('kind').notNullable();
    t.text('label').notNullable();
    // An AES-256-GCM envelope (keys/key-encryption.ts), bound to the factor's id.
    t.text('secret').notNullable();
    t.bigInteger('last_used_step');
    t.timestamp('confirmed_at', { useTz: true });
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id']);
  });
  await knex.schema.createTable('user_recovery_codes', (t) => {
    t.text('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('code_hash').notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['user_id', 'code_hash']);
  });
  await knex.schema.alterTable('clients', (t) => {
    t.boolean('require_mfa').notNullable().defaultTo(false);
  });
}

/** Drops everything `up` created. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.dropColumn('require_mfa');
  });
  await knex.schema.dropTableIfExists('user_recovery_codes');
  await knex.schema.dropTableIfExists('user_factors');
}
