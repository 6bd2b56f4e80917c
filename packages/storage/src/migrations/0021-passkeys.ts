import type { Knex } from 'knex';

/**
 * Passkeys (issue 13, item 1): a WebAuthn credential is one more kind of `user_factors` row
 * (`passkey`, named by its `label`, confirmed when registered), so the second-factor step, the
 * account page and `users mfa show|reset` see it with the authenticator apps. A passkey holds no
 * secret (its `secret` is empty): its credential id (unique: it names the passkey at sign-in),
 * its COSE public key, the signature counter (a use whose counter is not above it is refused),
 * its transports, the authenticator's AAGUID and the backup flags. `webauthn_user_handles`
 * gives each user one random, stable user handle for their passkeys (never the user id);
 * `webauthn_challenges` holds the challenges handed out, one per page and purpose, bound to the
 * digest of the interaction or browser they were made for, short-lived and taken once.
 * Immutable once merged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('user_factors', (t) => {
    t.text('credential_id').unique();
    // base64url of the COSE public key: public, stored as the authenticator gave it.
    t.text('public_key');
    t.bigInteger('sign_count');
    t.jsonb('transports');
    t.text('aaguid');
    t.boolean('backup_eligible');
    t.boolean('backed_up');
  });
  await knex.raw(
    `ALTER TABLE user_factors ADD CONSTRAINT user_factors_passkey_check
       CHECK (kind <> 'passkey' OR (credential_id IS NOT NULL AND public_key IS NOT NULL
         AND sign_count IS NOT NULL))`,
  );
  await knex.schema.createTable('webauthn_user_handles', (t) => {
    t.text('user_id').primary().references('id').inTable('users').onDelete('CASCADE');
    // base64url of 32 random bytes: what an authenticator keeps in place of the user id.
    t.text('handle').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('webauthn_challenges', (t) => {
    // base64url SHA-256 of the interaction's uid or the browser's binding: no usable handle.
    t.text('binding').notNullable();
    t.text('purpose').notNullable();
    t.text('challenge').notNullable();
    // The user the challenge is for (registration, second factor); null for passwordless.
    t.text('user_id').references('id').inTable('users').onDelete('CASCADE');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['binding', 'purpose']);
    t.index(['expires_at']);
  });
  await knex.raw(
    `ALTER TABLE webauthn_challenges ADD CONSTRAINT webauthn_challenges_purpose_check
       CHECK (purpose IN ('register', 'second_factor', 'passwordless'))`,
  );
}

/** Drops everything `up` created. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('webauthn_challenges');
  await knex.schema.dropTableIfExists('webauthn_user_handles');
  await knex('user_factors').where({ kind: 'passkey' }).delete();
  await knex.raw('ALTER TABLE user_factors DROP CONSTRAINT user_factors_passkey_check');
  await knex.schema.alterTable('user_factors', (t) => {
    t.dropColumns(
      'credential_id',
      'public_key',
      'sign_count',
      'transports',
      'aaguid',
      'backup_eligible',
      'backed_up',
    );
  });
}
