import type { Knex } from 'knex';

/**
 * Whether a client must bind its access tokens to a DPoP key (RFC 9449 `dpop_bound_access_tokens`):
 * its token requests without a DPoP proof are refused. Existing clients are not required to.
 * Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.boolean('dpop_bound_access_tokens').notNullable().defaultTo(false);
  });
}

/** Drops the column. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.dropColumn('dpop_bound_access_tokens');
  });
}
