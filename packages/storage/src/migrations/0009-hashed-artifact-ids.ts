import type { Knex } from 'knex';

/**
 * Stores oidc-provider's codes, tokens, sessions and interactions under the SHA-256 digest of
 * their value (base64url, as auth-server's secrets/artifact-secrets.ts computes it) instead of
 * the value itself, and removes the value (`jti`) from their payloads, so that the table and its
 * backups hold no usable bearer value. Grants keep their ids: a grant id is no credential.
 * Codes, tokens and sessions are converted in place and keep working. Interactions (sign-ins in
 * progress, an hour at most) and device codes (device authorizations in progress, ten minutes at
 * most) are deleted: their payloads carry other secrets that the server now seals with keys SQL
 * does not have; a person mid-sign-in starts again. Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`DELETE FROM oidc_artifacts WHERE model IN ('Interaction', 'DeviceCode')`);
  await knex.raw(
    `UPDATE oidc_artifacts
        SET id = translate(rtrim(encode(sha256(convert_to(id, 'UTF8')), 'base64'), '='), '+/', '-_'),
            payload = payload - 'jti'
      WHERE model <> 'Grant'`,
  );
}

/**
 * Refuses: a digest cannot be turned back into the value, so nothing stored since could be
 * found by a server of the version before. Restore a backup taken before the upgrade instead.
 */
export async function down(): Promise<void> {
  throw new Error(
    '0009-hashed-artifact-ids cannot be undone: tokens are stored only as digests (restore a backup taken before it)',
  );
}
