import type { Knex } from 'knex';

// Each index: its name, its table and the columns it holds, in the order the pages read them.
const INDEXES = [
  // Clients, resources and users a page at a time by lowercased name, then id, in byte order
  // (the expressions and "C" collation of byNamePage, so PostgreSQL reads the page in index
  // order and stops at the LIMIT instead of sorting the table).
  ['clients_name_page_idx', 'clients', `(lower(name) collate "C"), (id collate "C")`],
  ['resources_name_page_idx', 'resources', `(lower(name) collate "C"), (identifier collate "C")`],
  ['users_name_page_idx', 'users', `(lower(username) collate "C"), (id collate "C")`],
] as const;

/**
 * Indexes for the admin API's lists read a page at a time by PostgreSQL (keyset paging):
 * clients, resources and users by lowercased name then id, and users' grants (oidc-provider's
 * Grant artifacts) the newest first, then by id, across users or of one (with the existing index
 * on `payload->>'accountId'`). Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  for (const [name, table, columns] of INDEXES) {
    await knex.raw(`CREATE INDEX ${name} ON ${table} (${columns})`);
  }
  await knex.raw(
    `CREATE INDEX oidc_artifacts_grant_page_idx ON oidc_artifacts
     ((coalesce((payload->>'iat')::bigint, 0)) DESC, (id collate "C") DESC)
     WHERE model = 'Grant'`,
  );
}

/** Drops the indexes. */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS oidc_artifacts_grant_page_idx');
  for (const [name] of INDEXES) await knex.raw(`DROP INDEX IF EXISTS ${name}`);
}
