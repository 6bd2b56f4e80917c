import { createLocalJWKSet, type JWK, type JWTPayload, jwtVerify } from 'jose';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import { SIGNING_ALGORITHMS } from '../domain/signing-algorithms.ts';

/** An actor of a delegation chain (RFC 8693 §4.1): who acted, and for whom before them. */
export interface ActorClaim {
  sub: string;
  act?: ActorClaim;
}

/** A subject token's claims once its signature, issuer, type and lifetime are checked. */
export interface SubjectToken {
  /** The user the token is for. */
  sub: string;
  /** The client the token was issued to. */
  clientId: string;
  audiences: string[];
  scopes: string[];
  /** Seconds since the epoch. */
  exp: number;
  /** The chain of actors, when the token was itself exchanged. */
  act?: ActorClaim;
  /**
   * The user's grant the token stems from (its `grant_id` claim, or a stored token's grant): an
   * exchanged token carries its subject token's, so a whole chain goes back to one grant. Absent
   * from JWTs issued before access tokens named their grant.
   */
  grantId?: string;
}

// A JWT access token of ours is well under this; anything longer is refused before parsing.
const MAX_SUBJECT_TOKEN_LENGTH = 8192;
/** How many actors a chain may hold: each exchange adds one. */
export const MAX_ACTOR_CHAIN = 4;

// Members of a JWK that make it private: the verifier gets the public part only.
const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);

// RFC 8693 §2.2.2: a subject token that is invalid for any reason is invalid_request.
const invalid = (why: string) => new errors.InvalidRequest(`subject_token ${why}`);

/**
 * Reads a subject token presented for exchange: an RFC 9068 JWT access token signed by one of
 * this server's keys (`jwks`, the ones it publishes), with this issuer, the `at+jwt` type, an
 * allowed algorithm, every claim RFC 9068 requires, not expired (no leeway: it is our own clock),
 * and a well-formed actor chain of at most {@link MAX_ACTOR_CHAIN} actors. Anything else, an ID
 * token or a token of another issuer included, is `invalid_request` without saying more than
 * which check failed.
 *
 * @example
 * const read = createSubjectTokenReader({ issuer, jwks });
 * const subject = await read(ctx.oidc.params.subject_token); // { sub, clientId, audiences, ... }
 */
export function createSubjectTokenReader(options: { issuer: string; jwks: readonly JWK[] }) {
  const keys = createLocalJWKSet({
    keys: options.jwks.map(
      (key) =>
        Object.fromEntries(
          Object.entries(key).filter(([member]) => !PRIVATE_MEMBERS.has(member)),
        ) as JWK,
    ),
  });
  return async (value: string): Promise<SubjectToken> => {
    if (value.length > MAX_SUBJECT_TOKEN_LENGTH) throw invalid('is too long');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(value, keys, {
        issuer: options.issuer,
        typ: 'at+jwt',
        algorithms: [...SIGNING_ALGORITHMS],
        requiredClaims: ['exp', 'iat', 'sub', 'client_id', 'jti', 'aud'],
      }));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw code === 'ERR_JWT_EXPIRED'
        ? invalid('has expired')
        : invalid('is not an access token issued by this server');
    }
    const { sub, client_id: clientId, aud, scope, exp, grant_id: grantId } = payload;
    if (typeof sub !== 'string' || typeof clientId !== 'string' || typeof exp !== 'number') {
      throw invalid('is not an access token issued by this server');
    }
    const act = payload.act === undefined ? undefined : actorChain(payload.act, 1);
    return {
      sub,
      clientId,
      audiences: typeof aud === 'string' ? [aud] : (aud ?? []),
      scopes: typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [],
      exp,
      ...(act ? { act } : {}),
      ...(typeof grantId === 'string' && grantId !== '' ? { grantId } : {}),
    };
  };
}

/** The parts of a stored access token {@link readOpaqueSubjectToken} reads. */
interface StoredAccessToken {
  accountId?: string;
  clientId?: string;
  grantId?: string;
  aud?: string | string[];
  scope?: string;
  exp?: number;
  extra?: { act?: unknown; grant_id?: unknown };
}

/**
 * Reads an opaque subject token: one of this server's stored access tokens (an API registered
 * with `--format opaque` receives those), found as introspection finds it (by its digest, not
 * expired), for a user. Its grant is the token's own, or for an exchanged token the one its
 * `grant_id` claim names; the caller checks that it lives. Anything else is `invalid_request`.
 *
 * @example
 * const subject = await readOpaqueSubjectToken(provider, ctx.oidc.params.subject_token);
 */
export async function readOpaqueSubjectToken(
  provider: Provider,
  value: string,
): Promise<SubjectToken> {
  if (value.length > MAX_SUBJECT_TOKEN_LENGTH) throw invalid('is too long');
  const token = (await provider.AccessToken.find(value)) as StoredAccessToken | undefined;
  const { accountId, clientId, exp } = token ?? {};
  if (!token || !accountId || !clientId || typeof exp !== 'number') {
    throw invalid('is not an access token issued by this server, or has expired');
  }
  const grantId =
    token.grantId ?? (typeof token.extra?.grant_id === 'string' ? token.extra.grant_id : undefined);
  const act = token.extra?.act === undefined ? undefined : actorChain(token.extra.act, 1);
  return {
    sub: accountId,
    clientId,
    audiences: typeof token.aud === 'string' ? [token.aud] : (token.aud ?? []),
    scopes: (token.scope ?? '').split(' ').filter(Boolean),
    exp,
    ...(act ? { act } : {}),
    ...(grantId ? { grantId } : {}),
  };
}

/**
 * The client ids of a chain, outermost (the latest actor) first.
 *
 * @example
 * actorIds({ sub: 'b', act: { sub: 'a' } }); // ['b', 'a']
 */
export function actorIds(act: ActorClaim | undefined): string[] {
  const ids: string[] = [];
  for (let at = act; at; at = at.act) ids.push(at.sub);
  return ids;
}

// Our own chains only: objects with a string `sub` and at most a nested `act`, not too deep.
function actorChain(value: unknown, depth: number): ActorClaim {
  if (depth > MAX_ACTOR_CHAIN) throw invalid('has too long a chain of actors');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('has a malformed act claim');
  }
  const { sub, act } = value as Record<string, unknown>;
  if (typeof sub !== 'string' || sub.length === 0) throw invalid('has a malformed act claim');
  return act === undefined ? { sub } : { sub, act: actorChain(act, depth + 1) };
}
