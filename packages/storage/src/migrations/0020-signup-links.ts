import type { Knex } from 'knex';

/**
 * Self-registration links: invitations an operator mails (`users invite`) and, with open sign-up,
 * the links a visitor asks for at /signup. Either is a single-use link to a page that creates the
 * account at the address it was mailed to (so the address is verified by following it; no
 * account exists before). Only the SHA-256 digest of a link's secret is stored. `user_id` names
 * the account the link created, once used. Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('signup_links', (t) => {
    // base64url SHA-256 of the secret in the link: the table holds no usable link.
    t.text('id').primary();
    t.text('kind').notNullable();
    t.text('email').notNullable();
    // Who asked: `cli:NAME` for an invitation, `anonymous` for an open sign-up.
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('consumed_at', { useTz: true });
    t.text('user_id').references('id').inTable('users').onDelete('SET NULL');
    t.index(['expires_at']);
  });
  await knex.raw(
    `ALTER TABLE signup_links ADD CONSTRAINT signup_links_kind_check
       CHECK (kind IN ('invitation', 'signup'))`,
  );
}

/** Drops everything `up` created. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('signup_links');
}
