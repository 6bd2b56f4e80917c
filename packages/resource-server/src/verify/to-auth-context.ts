import type { JWTPayload } from 'jose';
import { InvalidTokenError } from '../errors.ts';
import type { AuthContext } from '../types.ts';
import { readActorChain } from './actor-chain.ts';

function requireString(claims: JWTPayload, name: string): string {
  const value = claims[name];
  if (typeof value !== 'string' || value === '') {
    throw new InvalidTokenError('the access token lacks a required claim');
  }
  return value;
}

/**
 * Checks the RFC 9068 claims jose does not check for us and builds the `ctx.state.auth` value.
 * jose has already verified the signature, `iss`, `aud`, `typ`, `exp` and `nbf`, and that
 * `exp`, `iat`, `sub`, `client_id` and `jti` are present; here their types are enforced, `iat`
 * may not lie in the future, and `scope` must be a space-delimited string (RFC 8693 §4.2).
 *
 * @example
 * const auth = toAuthContext(payload, Date.now() / 1000, 30);
 */
export function toAuthContext(
  claims: JWTPayload,
  nowSeconds: number,
  toleranceSeconds: number,
): AuthContext {
  const subject = requireString(claims, 'sub');
  const clientId = requireString(claims, 'client_id');
  requireString(claims, 'jti');
  if (typeof claims.iat !== 'number' || claims.iat > nowSeconds + toleranceSeconds) {
    throw new InvalidTokenError('the access token has an invalid claim');
  }
  const { scope } = claims;
  if (scope !== undefined && typeof scope !== 'string') {
    throw new InvalidTokenError('the access token has an invalid claim');
  }
  // Only the space character delimits (RFC 6749 §3.3); a tab or comma stays part of a value,
  // so `notes:read,notes:write` matches neither scope.
  const scopes = new Set((scope ?? '').split(' ').filter((value) => value !== ''));
  return Object.freeze({
    subject,
    clientId,
    scopes,
    scope: [...scopes].join(' '),
    actor: readActorChain(claims),
    claims: Object.freeze({ ...claims }),
    token: 'jwt' as const,
  });
}
