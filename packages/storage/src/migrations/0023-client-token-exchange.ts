import type { Knex } from 'knex';

/**
 * The resources a client may exchange a user's access token for (RFC 8693 token exchange,
 * `clients update --may-exchange-for`): the operator's delegation policy. Existing clients may
 * exchange for none. Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.specificType('may_exchange_for', 'text[]').notNullable().defaultTo('{}');
  });
}

/** Drops the column. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.dropColumn('may_exchange_for');
  });
}
