import type { Knex } from 'knex';

/**
 * Operator tokens, the janitor and resource servers that introspect:
 * - indexes on the artifacts' `clientId` and `accountId` (revoking everything of a client or a
 *   user, and deleting clients and users, no longer scan the whole table) and on `consumed_at`
 *   (the janitor deletes consumed rows in batches);
 * - `resources.introspection_clients`: the clients (the API's own) that may introspect tokens
 *   issued for the resource, besides the client each token was issued to (RFC 7662 §4).
 * Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `CREATE INDEX oidc_artifacts_client_id_idx ON oidc_artifacts ((payload->>'clientId'))
     WHERE payload->>'clientId' IS NOT NULL`,
  );
  await knex.raw(
    `CREATE INDEX oidc_artifacts_account_id_idx ON oidc_artifacts ((payload->>'accountId'))
     WHERE payload->>'accountId' IS NOT NULL`,
  );
  await knex.raw(
    'CREATE INDEX oidc_artifacts_consumed_at_idx ON oidc_artifacts (consumed_at) WHERE consumed_at IS NOT NULL',
  );
  await knex.schema.alterTable('resources', (t) => {
    t.specificType('introspection_clients', 'text[]').notNullable().defaultTo('{}');
  });
}

/** Drops the indexes and the column. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('resources', (t) => {
    t.dropColumn('introspection_clients');
  });
  for (const index of [
    'oidc_artifacts_consumed_at_idx',
    'oidc_artifacts_account_id_idx',
    'oidc_artifacts_client_id_idx',
  ]) {
    await knex.raw(`DROP INDEX IF EXISTS ${index}`);
  }
}
