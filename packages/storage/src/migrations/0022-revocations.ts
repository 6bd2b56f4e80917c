import type { Knex } from 'knex';

/**
 * The revocation feed: what was revoked (a grant, one token's `jti`, a subject, a client), in the
 * order it was revoked, for resource servers that follow it to refuse JWT access tokens before
 * they expire. `seq` is the feed's cursor; writers take one advisory lock before inserting, so
 * rows commit in `seq` order and a reader never skips a row that commits late. `expires_at` is
 * the latest expiry of any access token the row can refuse: past it the row refuses nothing and
 * the janitor deletes it. Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('revocations', (t) => {
    t.bigIncrements('seq').primary();
    t.text('kind').notNullable();
    // A grant id, a token's jti, a user id or a client id: identifiers, never a usable token.
    t.text('value').notNullable();
    t.timestamp('revoked_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
    // A grant or token published again (oidc-provider revokes a grant once per model) is looked up.
    t.index(['kind', 'value']);
  });
  await knex.raw(
    `ALTER TABLE revocations ADD CONSTRAINT revocations_kind_check
       CHECK (kind IN ('grant', 'token', 'subject', 'client'))`,
  );
}

/** Drops everything `up` created. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('revocations');
}
