import type { Knex } from 'knex';

/**
 * The first schema: clients with hashed secrets, API resources and their scopes, signing keys,
 * and the oidc-provider artifacts table. Immutable once merged: change the schema with a new
 * migration.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('clients', (t) => {
    t.text('id').primary();
    // Names are unique regardless of case so `Billing` and `billing` cannot both exist.
    t.text('name').notNullable();
    t.specificType('grant_types', 'text[]').notNullable();
    t.specificType('redirect_uris', 'text[]').notNullable().defaultTo('{}');
    t.specificType('scopes', 'text[]').notNullable().defaultTo('{}');
    t.specificType('resources', 'text[]').notNullable().defaultTo('{}');
    t.boolean('is_public').notNullable().defaultTo(false);
    t.boolean('first_party').notNullable().defaultTo(false);
    t.timestamp('disabled_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE UNIQUE INDEX clients_name_lower_idx ON clients (lower(name))');

  await knex.schema.createTable('client_secrets', (t) => {
    t.bigIncrements('id').primary();
    t.text('client_id').notNullable().references('clients.id').onDelete('CASCADE');
    t.text('name').notNullable();
    // "<algorithm>$<digest>": the secret itself is never stored.
    t.text('secret_hash').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('last_used_at', { useTz: true });
    t.index(['client_id']);
  });

  await knex.schema.createTable('resources', (t) => {
    t.text('identifier').primary();
    t.text('name').notNullable();
    t.integer('access_token_ttl').notNullable().defaultTo(600);
    t.text('access_token_format').notNullable().defaultTo('jwt');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE UNIQUE INDEX resources_name_lower_idx ON resources (lower(name))');
  await knex.raw(
    `ALTER TABLE resources ADD CONSTRAINT resources_ttl_check CHECK (access_token_ttl BETWEEN 1 AND 86400),
     ADD CONSTRAINT resources_format_check CHECK (access_token_format IN ('jwt', 'opaque'))`,
  );

  await knex.schema.createTable('resource_scopes', (t) => {
    t.text('resource_identifier')
      .notNullable()
      .references('resources.identifier')
      .onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.primary(['resource_identifier', 'name']);
  });

  await knex.schema.createTable('signing_keys', (t) => {
    t.text('kid').primary();
    t.text('alg').notNullable();
    t.text('state').notNullable();
    t.jsonb('public_jwk').notNullable();
    // AES-256-GCM envelope of the private JWK under the configured key-encryption key.
    t.text('private_jwk_encrypted').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('activated_at', { useTz: true });
    t.timestamp('retired_at', { useTz: true });
  });
  await knex.raw(
    `ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_state_check CHECK (state IN ('next', 'active', 'retired'))`,
  );

  await knex.schema.createTable('oidc_artifacts', (t) => {
    t.text('model').notNullable();
    t.text('id').notNullable();
    t.jsonb('payload').notNullable();
    t.text('grant_id');
    t.text('uid');
    t.text('user_code');
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('consumed_at', { useTz: true });
    t.primary(['model', 'id']);
  });
  await knex.raw(
    'CREATE INDEX oidc_artifacts_grant_id_idx ON oidc_artifacts (grant_id) WHERE grant_id IS NOT NULL',
  );
  await knex.raw(
    'CREATE UNIQUE INDEX oidc_artifacts_uid_idx ON oidc_artifacts (model, uid) WHERE uid IS NOT NULL',
  );
  await knex.raw(
    'CREATE UNIQUE INDEX oidc_artifacts_user_code_idx ON oidc_artifacts (model, user_code) WHERE user_code IS NOT NULL',
  );
  await knex.raw(
    'CREATE INDEX oidc_artifacts_expires_at_idx ON oidc_artifacts (expires_at) WHERE expires_at IS NOT NULL',
  );
}

/** Drops everything `up` created. */
export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'oidc_artifacts',
    'signing_keys',
    'resource_scopes',
    'resources',
    'client_secrets',
    'clients',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
