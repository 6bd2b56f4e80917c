import type { KoaContextWithOIDC } from 'oidc-provider';

/** An `extraTokenClaims` function of oidc-provider's configuration. */
type ExtraTokenClaims = (
  ctx: KoaContextWithOIDC,
  token: unknown,
) => Promise<Record<string, unknown> | undefined>;

/**
 * Adds a `grant_id` claim (the grant the token was issued from) to the claims `claims` gives,
 * in every access token issued from a grant (not client credentials, which have none): the
 * revocation feed names revoked grants, and an API following it refuses their tokens by this
 * claim. A private claim name (RFC 9068 §2.2.3 allows them); a grant id is an identifier, not a
 * credential: nothing is obtained with it.
 *
 * @example
 * const configuration = { extraTokenClaims: withGrantClaim(createRolesClaim(resources, roles)) };
 */
export function withGrantClaim(claims: ExtraTokenClaims): ExtraTokenClaims {
  return async (ctx, token) => {
    const extra = await claims(ctx, token);
    const { grantId } = token as { grantId?: unknown };
    if (typeof grantId !== 'string' || grantId === '') return extra;
    return { ...extra, grant_id: grantId };
  };
}
