import type { JWTPayload } from 'jose';
import { InvalidTokenError } from '../errors.ts';
import type { AuthContext } from '../types.ts';
import { readActorChain } from '../verify/actor-chain.ts';

/** What an introspection answer is checked against. */
export interface IntrospectionExpectations {
  readonly issuer: string;
  readonly audience: string;
  readonly clockToleranceSeconds: number;
}

const invalidClaim = () => new InvalidTokenError('the access token has an invalid claim');

function optionalNumber(answer: Record<string, unknown>, name: string): number | undefined {
  const value = answer[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidClaim();
  return value;
}

function optionalString(answer: Record<string, unknown>, name: string): string | undefined {
  const value = answer[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw invalidClaim();
  return value;
}

function checkAudience(aud: unknown, audience: string): void {
  // No `aud` is refused: nothing then shows the token was meant for this API rather than for
  // another one (or for userinfo, which is what oidc-provider's audience-less tokens are for).
  const values = typeof aud === 'string' ? [aud] : aud;
  if (!Array.isArray(values) || !values.includes(audience)) {
    throw new InvalidTokenError('the access token is not intended for this resource');
  }
}

function checkTokenKind(answer: Record<string, unknown>): void {
  const type = optionalString(answer, 'token_type')?.toLowerCase();
  const use = optionalString(answer, 'token_use');
  // A refresh token (or anything else the endpoint vouches for) is not an access token.
  if (
    (type !== undefined && type !== 'bearer' && type !== 'dpop') ||
    (use ?? 'access_token') !== 'access_token'
  ) {
    throw new InvalidTokenError('the token is not an access token');
  }
  const { cnf } = answer;
  if (type === 'dpop' && typeof (cnf as { jkt?: unknown } | null)?.jkt !== 'string') {
    throw invalidClaim();
  }
}

/**
 * Judges an RFC 7662 introspection answer the way RFC 9068 judges a JWT, and builds the
 * `ctx.state.auth` value (`token: 'opaque'`). Accepted only when `active` is `true`, `iss` (when
 * present) equals the issuer exactly, `aud` contains the audience (a missing `aud` is refused),
 * `exp` is present and in the future, `nbf`/`iat` are not in the future (within the leeway),
 * `client_id` is present, and `token_type`/`token_use`, when present, name an access token.
 * `sub` defaults to `client_id`, as RFC 9068 §2.2 has it for tokens a client got for itself.
 *
 * @example
 * const auth = toOpaqueAuthContext(answer, { issuer, audience, clockToleranceSeconds: 30 }, Date.now());
 */
export function toOpaqueAuthContext(
  answer: Record<string, unknown>,
  expected: IntrospectionExpectations,
  nowMs: number,
): AuthContext {
  if (answer.active !== true) throw new InvalidTokenError('the access token is not active');
  const leewayMs = expected.clockToleranceSeconds * 1000;
  if (answer.iss !== undefined && answer.iss !== expected.issuer) {
    throw new InvalidTokenError('the access token was issued by another issuer');
  }
  checkAudience(answer.aud, expected.audience);
  const exp = optionalNumber(answer, 'exp');
  if (exp === undefined) throw new InvalidTokenError('the access token lacks a required claim');
  if (exp * 1000 <= nowMs) throw new InvalidTokenError('the access token has expired');
  const nbf = optionalNumber(answer, 'nbf');
  if (nbf !== undefined && nbf * 1000 > nowMs + leewayMs) {
    throw new InvalidTokenError('the access token is not valid yet');
  }
  const iat = optionalNumber(answer, 'iat');
  if (iat !== undefined && iat * 1000 > nowMs + leewayMs) throw invalidClaim();
  const clientId = optionalString(answer, 'client_id');
  if (clientId === undefined)
    throw new InvalidTokenError('the access token lacks a required claim');
  const subject = optionalString(answer, 'sub') ?? clientId;
  checkTokenKind(answer);
  const { scope } = answer;
  if (scope !== undefined && typeof scope !== 'string') throw invalidClaim();
  const { active: _active, ...claims } = answer;
  // Only the space character delimits (RFC 6749 §3.3), as for JWTs.
  const scopes = new Set((scope ?? '').split(' ').filter((value) => value !== ''));
  return Object.freeze({
    subject,
    clientId,
    scopes,
    scope: [...scopes].join(' '),
    actor: readActorChain(claims),
    claims: Object.freeze(claims) as Readonly<JWTPayload>,
    token: 'opaque' as const,
  });
}
