import type { Knex } from 'knex';

/**
 * The web origins (`https://app.example.com`) from which a browser app may call the token,
 * userinfo and other client endpoints (CORS). Existing clients get none. Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.specificType('web_origins', 'text[]').notNullable().defaultTo('{}');
  });
}

/** Drops the column. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.dropColumn('web_origins');
  });
}
