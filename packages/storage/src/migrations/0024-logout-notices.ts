import type { Knex } from 'knex';

/**
 * Logout notices: an OpenID Connect Back-Channel Logout owed to a client because a user's
 * session with it was ended by something other than oidc-provider's own logout (a password reset
 * or change, `users disable|delete`, `users mfa reset`, which delete sessions in SQL, often from
 * the CLI, which sends no HTTP). Written in the transaction that ends the sessions; a server
 * takes each notice once (deleting it) and posts the logout token. Holds no secret: a client id,
 * the user's id and the session's `sid`. Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('logout_notices', (t) => {
    t.bigIncrements('id').primary();
    t.text('client_id').notNullable();
    t.text('account_id').notNullable();
    t.text('sid');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['created_at']);
  });
}

/** Drops everything `up` created. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('logout_notices');
}
