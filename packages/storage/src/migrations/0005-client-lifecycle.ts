import type { Knex } from 'knex';

/**
 * What the client lifecycle needs: per-client token lifetimes (null: the resource's, or the
 * server's default), when the client was last used, and secret names unique per client so an
 * operator can tell a client's secrets apart. Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.integer('access_token_ttl');
    t.integer('refresh_token_ttl');
    // Written at most once a minute per client, off the request path.
    t.timestamp('last_used_at', { useTz: true });
  });
  await knex.raw(
    `ALTER TABLE clients ADD CONSTRAINT clients_access_token_ttl_check CHECK (access_token_ttl BETWEEN 1 AND 86400),
     ADD CONSTRAINT clients_refresh_token_ttl_check CHECK (refresh_token_ttl BETWEEN 60 AND 31536000)`,
  );
  await knex.raw(
    'CREATE UNIQUE INDEX client_secrets_client_name_idx ON client_secrets (client_id, name)',
  );
}

/** Drops what `up` added. */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS client_secrets_client_name_idx');
  await knex.schema.alterTable('clients', (t) => {
    t.dropColumn('access_token_ttl');
    t.dropColumn('refresh_token_ttl');
    t.dropColumn('last_used_at');
  });
}
