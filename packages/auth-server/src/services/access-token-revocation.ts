import { createAuditRepository, type Database, publishRevocations } from '@portcullis/storage';

/** A verified JWT access token a client asked to revoke (RFC 7009), by its claims. */
export interface RevokedAccessToken {
  /** Its `jti`: what the revocation feed names. */
  jti: string;
  /** Its `exp`, in seconds: past it the entry refuses nothing. */
  exp: number;
  /** Its `sub`, for the audit event. */
  subject: string;
  /** The client that revoked it, which is the client it was issued to. */
  clientId: string;
  /** The address of the request. */
  address: string;
}

// The leeway a resource server may give a token past its `exp` (at most 60 s).
const LEEWAY_SECONDS = 60;

/**
 * Revocation of JWT access tokens at oidc-provider's revocation endpoint. They are not stored,
 * so there is nothing to delete: the token's `jti` is published on the revocation feed until its
 * `exp` (plus the resource servers' leeway), and `token.revoked` is recorded (`by: 'jti'`, never
 * the token), in one transaction.
 *
 * @example
 * await createAccessTokenRevocation(db).revoke({ jti, exp, subject, clientId, address });
 */
export function createAccessTokenRevocation(db: Database) {
  return {
    async revoke(token: RevokedAccessToken): Promise<void> {
      await db.transaction(async (trx) => {
        await publishRevocations(trx, [
          {
            kind: 'token',
            value: token.jti,
            expiresAt: new Date((token.exp + LEEWAY_SECONDS) * 1000),
          },
        ]);
        await createAuditRepository(trx).record({
          type: 'token.revoked',
          actor: `client:${token.clientId}`,
          clientId: token.clientId,
          subject: token.subject,
          address: token.address,
          details: { by: 'jti', jti: token.jti, via: 'revocation_endpoint' },
        });
      });
    },
  };
}
