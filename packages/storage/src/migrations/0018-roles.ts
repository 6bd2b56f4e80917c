import type { Knex } from 'knex';

/**
 * Roles: named sets of resource scopes given to users (issue 13, item 4). A resource scope can be
 * role-gated (`resource_scopes.role_gated`): a user gets it only through one of their roles. A
 * resource can ask for a `roles` claim in its access tokens (`resources.roles_claim`). Deleting a
 * scope, a resource, a role or a user deletes what hangs on it. Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('resource_scopes', (t) => {
    t.boolean('role_gated').notNullable().defaultTo(false);
  });
  await knex.schema.alterTable('resources', (t) => {
    t.boolean('roles_claim').notNullable().defaultTo(false);
  });
  await knex.schema.createTable('roles', (t) => {
    t.text('name').primary();
    t.text('description').notNullable().defaultTo('');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // `Admin` and `admin` cannot both exist: they would read as one role in a token.
  await knex.raw('CREATE UNIQUE INDEX roles_name_lower_idx ON roles (lower(name))');
  await knex.schema.createTable('role_scopes', (t) => {
    t.text('role_name').notNullable().references('roles.name').onDelete('CASCADE');
    t.text('resource_identifier').notNullable();
    t.text('scope_name').notNullable();
    t.primary(['role_name', 'resource_identifier', 'scope_name']);
    t.foreign(['resource_identifier', 'scope_name'])
      .references(['resource_identifier', 'name'])
      .inTable('resource_scopes')
      .onDelete('CASCADE');
  });
  await knex.schema.createTable('user_roles', (t) => {
    t.text('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('role_name').notNullable().references('roles.name').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['user_id', 'role_name']);
    t.index(['role_name']);
  });
}

/** Drops the tables and columns. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('user_roles');
  await knex.schema.dropTableIfExists('role_scopes');
  await knex.schema.dropTableIfExists('roles');
  await knex.schema.alterTable('resources', (t) => {
    t.dropColumn('roles_claim');
  });
  await knex.schema.alterTable('resource_scopes', (t) => {
    t.dropColumn('role_gated');
  });
}
