import type { Knex } from 'knex';

/**
 * Dynamic client registration (RFC 7591/7592). `registration_tokens` holds the initial access
 * tokens an operator creates (`portcullis clients registration-token create`): only the SHA-256
 * digest of each token, its expiry, how many registrations it allows and has made (counted by a
 * conditional update in the registration's own transaction, so concurrent registrations cannot
 * exceed it), and the scopes and resources a client registered with it may have. A client
 * records how it was registered (`operator` or `dynamic`), with which initial access token, and
 * the digest of its registration access token (RFC 7592), never the token. Existing clients were
 * registered by an operator. Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('registration_tokens', (t) => {
    t.text('id').primary();
    t.text('token_hash').notNullable().unique();
    t.specificType('scopes', 'text[]').notNullable().defaultTo('{}');
    t.specificType('resources', 'text[]').notNullable().defaultTo('{}');
    t.integer('max_uses');
    t.integer('uses').notNullable().defaultTo(0);
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `ALTER TABLE registration_tokens
       ADD CONSTRAINT registration_tokens_max_uses_check CHECK (max_uses >= 1),
       ADD CONSTRAINT registration_tokens_uses_check CHECK (uses >= 0 AND (max_uses IS NULL OR uses <= max_uses))`,
  );
  await knex.schema.alterTable('clients', (t) => {
    t.text('registered_via').notNullable().defaultTo('operator');
    t.text('registration_token_id').references('registration_tokens.id').onDelete('SET NULL');
    t.text('registration_access_token_hash');
  });
  await knex.raw(
    `ALTER TABLE clients ADD CONSTRAINT clients_registered_via_check CHECK (registered_via IN ('operator', 'dynamic'))`,
  );
}

/** Drops what `up` added (dynamically registered clients stay, as if an operator had made them). */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.dropColumn('registration_access_token_hash');
    t.dropColumn('registration_token_id');
    t.dropColumn('registered_via');
  });
  await knex.schema.dropTable('registration_tokens');
}
