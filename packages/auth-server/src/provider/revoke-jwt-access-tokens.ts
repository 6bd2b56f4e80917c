import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import type Koa from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { PrivateJwk } from '../keys/signing-keys.ts';
import type { RevokedAccessToken } from '../services/access-token-revocation.ts';
import type { AnswerStep } from './after-response.ts';

/** What {@link revokeJwtAccessTokens} needs. */
export interface JwtRevocationDeps {
  issuer: string;
  /** The instance's keys (the private parts are dropped here). */
  jwks: readonly PrivateJwk[];
  /** Records the revocation (services/access-token-revocation.ts). */
  revoke(token: RevokedAccessToken): Promise<void>;
}

// What a public JWK keeps of a private one.
const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']);

/**
 * A step of `afterAnswer` (after-response.ts): RFC 7009 revocation of our JWT access tokens.
 * oidc-provider refuses a structured token at its revocation endpoint (400
 * `unsupported_token_type`) after the client authenticated; this verifies it against the
 * instance's own keys (signature, `typ` at+jwt, `iss`) and, when it was issued to the
 * authenticated client and has not expired, publishes its `jti` on the revocation feed. Either way
 * the answer becomes RFC 7009's 200 with no body: a token that is not ours, or another client's,
 * is treated as unknown and nothing is revoked.
 *
 * @example
 * provider.use(afterAnswer(revokeJwtAccessTokens({ issuer, jwks, revoke: revocation.revoke })));
 */
export function revokeJwtAccessTokens(deps: JwtRevocationDeps): AnswerStep {
  const keys = createLocalJWKSet({
    keys: deps.jwks.map(
      (key) =>
        Object.fromEntries(
          Object.entries(key).filter(([name]) => !PRIVATE_MEMBERS.has(name)),
        ) as JWK,
    ),
  });
  const revoke = async (ctx: Koa.Context, clientId: string, token: string) => {
    ctx.status = 200;
    ctx.body = '';
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, keys, {
        issuer: deps.issuer,
        typ: 'at+jwt',
        requiredClaims: ['jti', 'exp', 'client_id', 'sub'],
      }));
    } catch {
      return;
    }
    const { jti, exp, sub } = claims;
    if (claims.client_id !== clientId || typeof jti !== 'string' || typeof exp !== 'number') {
      return;
    }
    // A failure here (the database) reaches oidc-provider's error handling: 503, never a 200 for
    // a revocation that did not happen.
    await deps.revoke({ jti, exp, subject: String(sub), clientId, address: ctx.ip });
  };
  return function revokeJwtAccessToken(ctx) {
    const oidc = (ctx as Partial<KoaContextWithOIDC>).oidc;
    if (
      oidc?.route !== 'revocation' ||
      ctx.status !== 400 ||
      (ctx.body as { error?: string } | undefined)?.error !== 'unsupported_token_type'
    ) {
      return undefined;
    }
    const clientId = oidc.client?.clientId;
    const token = oidc.params?.token;
    if (clientId === undefined || typeof token !== 'string') return undefined;
    return revoke(ctx, clientId, token);
  };
}
