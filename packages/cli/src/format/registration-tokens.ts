import type { RegistrationTokenRecord } from '@portcullis/storage';

/** Where an initial access token stands, as `registrationTokenStatus` says it. */
type Status = 'live' | 'expired' | 'used up' | 'revoked';

/**
 * An initial access token in the CLI's JSON shape: its id, policy, uses and dates, never its
 * value or digest.
 *
 * @example
 * printJson(io, registrationTokenJson(record, 'live'));
 */
export function registrationTokenJson(token: RegistrationTokenRecord, status: Status) {
  return {
    id: token.id,
    status,
    scope: token.scopes.join(' '),
    resources: token.resources,
    max_uses: token.maxUses,
    uses: token.uses,
    expires_at: token.expiresAt?.toISOString() ?? null,
    revoked_at: token.revokedAt?.toISOString() ?? null,
    created_by: token.createdBy,
    created_at: token.createdAt.toISOString(),
  };
}
