import type { Knex } from 'knex';

/**
 * Single-use links mailed to a user: password resets and e-mail verifications. Only the SHA-256
 * digest of a link's secret is stored (the mail holds the secret), with the address the link was
 * sent to (a verification verifies only that address), its expiry and when it was used. Deleting
 * the user deletes their links. Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('user_tokens', (t) => {
    // base64url SHA-256 of the secret in the link: the table holds no usable link.
    t.text('id').primary();
    t.text('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('purpose').notNullable();
    t.text('email').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('consumed_at', { useTz: true });
    t.index(['user_id', 'purpose']);
    t.index(['expires_at']);
  });
  await knex.raw(
    `ALTER TABLE user_tokens ADD CONSTRAINT user_tokens_purpose_check
       CHECK (purpose IN ('password_reset', 'email_verification'))`,
  );
  // Password resets look users up by address, in any case.
  await knex.raw('CREATE INDEX users_email_lower_idx ON users (lower(email))');
}

/** Drops everything `up` created. */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS users_email_lower_idx');
  await knex.schema.dropTableIfExists('user_tokens');
}
