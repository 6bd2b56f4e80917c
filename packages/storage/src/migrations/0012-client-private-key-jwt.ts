import type { Knex } from 'knex';

/**
 * How a client authenticates at the token endpoint, and the public keys of those that sign
 * client assertions (`private_key_jwt`, RFC 7523): `token_endpoint_auth_method` is `none` for
 * public clients, `client_secret_basic` for clients with hashed secrets (basic or post, as
 * before) and `private_key_jwt` for clients with keys: a JWKS held here (`jwks`) or published by
 * the client (`jwks_uri`), never both. Existing clients keep what they had. Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.text('token_endpoint_auth_method').notNullable().defaultTo('client_secret_basic');
    t.jsonb('jwks').nullable();
    t.text('jwks_uri').nullable();
  });
  await knex('clients').where({ is_public: true }).update({ token_endpoint_auth_method: 'none' });
  await knex.raw(`
    alter table clients
      add constraint clients_token_endpoint_auth_method_check
        check (token_endpoint_auth_method in ('none', 'client_secret_basic', 'private_key_jwt')),
      add constraint clients_private_key_jwt_keys_check
        check ((token_endpoint_auth_method = 'private_key_jwt') = ((jwks is null) <> (jwks_uri is null)))
  `);
}

/** Drops the columns and their constraints. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.dropColumn('jwks_uri');
    t.dropColumn('jwks');
    t.dropColumn('token_endpoint_auth_method');
  });
}
