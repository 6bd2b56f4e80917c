import type { Knex } from 'knex';

/**
 * Other identity providers users may sign in with ("Sign in with Acme SSO"): an OpenID Connect
 * issuer, or GitHub's OAuth 2 (endpoints stored, since it has no discovery), with our client's
 * id there and its secret encrypted under the key-encryption key; and the links from a
 * provider's subject (`sub`, or GitHub's numeric user id) to one of our users. Upstream tokens
 * are not stored at all. Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('identity_providers', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('kind').notNullable();
    // OpenID Connect: the issuer, discovered at sign-in. GitHub: null, the endpoints below.
    t.text('issuer');
    t.text('authorization_endpoint');
    t.text('token_endpoint');
    t.text('api_url');
    t.text('client_id').notNullable();
    // AES-256-GCM under PORTCULLIS_KEY_ENCRYPTION_KEY, bound to the provider's id.
    t.text('client_secret_encrypted').notNullable();
    t.text('scope').notNullable();
    t.boolean('jit').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    "ALTER TABLE identity_providers ADD CONSTRAINT identity_providers_kind_check CHECK (kind IN ('oidc', 'github'))",
  );
  // The name is on the login page's button and names the provider in the CLI: one per name.
  await knex.raw(
    'CREATE UNIQUE INDEX identity_providers_name_lower_idx ON identity_providers (lower(name))',
  );
  await knex.schema.createTable('identity_provider_links', (t) => {
    t.text('provider_id')
      .notNullable()
      .references('id')
      .inTable('identity_providers')
      .onDelete('CASCADE');
    t.text('upstream_sub').notNullable();
    t.text('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['provider_id', 'upstream_sub']);
    // One link per provider and user: a second upstream account cannot take over the first's.
    t.unique(['provider_id', 'user_id']);
    t.index(['user_id']);
  });
}

/** Drops everything `up` created. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('identity_provider_links');
  await knex.schema.dropTableIfExists('identity_providers');
}
