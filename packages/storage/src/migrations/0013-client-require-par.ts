import type { Knex } from 'knex';

/**
 * Whether a client must push its authorization requests (RFC 9126
 * `require_pushed_authorization_requests`): a plain authorization request naming it is refused.
 * Existing clients are not required to. Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.boolean('require_pushed_authorization_requests').notNullable().defaultTo(false);
  });
}

/** Drops the column. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.dropColumn('require_pushed_authorization_requests');
  });
}
