import type { Knex } from 'knex';

/**
 * Where a client receives OpenID Connect Back-Channel Logout tokens (`backchannel_logout_uri`),
 * and whether it needs the session id (`sid`) in them (`backchannel_logout_session_required`).
 * Existing clients have no URI, so they get no logout tokens. Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.text('backchannel_logout_uri').nullable();
    t.boolean('backchannel_logout_session_required').notNullable().defaultTo(false);
  });
}

/** Drops the columns. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.dropColumn('backchannel_logout_session_required');
    t.dropColumn('backchannel_logout_uri');
  });
}
