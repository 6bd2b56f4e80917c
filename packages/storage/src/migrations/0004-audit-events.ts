import type { Knex } from 'knex';

/**
 * The audit trail: one row per security event (client and secret changes, key rotations,
 * sign-ins, consent, refresh-token reuse, rate limits). Rows are only ever inserted; the janitor
 * may delete old ones by age.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('id').primary();
    t.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('type').notNullable();
    // Who did it: `cli:<os user>`, `user:<id>`, `client:<id>`, or `system`.
    t.text('actor').notNullable();
    t.text('client_id');
    t.text('subject');
    t.text('address');
    // Event-specific facts; never a secret, token or password.
    t.jsonb('details').notNullable().defaultTo('{}');
    t.index(['occurred_at']);
    t.index(['type', 'occurred_at']);
  });
  await knex.raw(
    'CREATE INDEX audit_events_client_idx ON audit_events (client_id, occurred_at) WHERE client_id IS NOT NULL',
  );
}

/** Drops the audit trail. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_events');
}
