import type { Knex } from 'knex';

/** What a consent page shows of a client besides its name: its homepage and logo. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.text('client_uri');
    t.text('logo_uri');
  });
}

/** Drops the two columns. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.dropColumn('client_uri');
    t.dropColumn('logo_uri');
  });
}
