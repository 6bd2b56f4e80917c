import { hash } from 'node:crypto';
import {
  type CompactJWSHeaderParameters,
  calculateJwkThumbprint,
  EmbeddedJWK,
  type FlattenedJWSInput,
  type JWK,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import {
  InvalidDpopProofError,
  InvalidTokenError,
  isResourceServerError,
  TemporarilyUnavailableError,
} from '../errors.ts';
import type { DpopReplayStore } from '../types.ts';
import { normalizeHtu } from './request-htu.ts';
import type { ResolvedDpop } from './resolve-dpop-options.ts';

/** One request's proof and what it must match. */
export interface DpopProofInput {
  /** The `DPoP` header: a compact JWS. */
  readonly proof: string;
  /** The request method, compared exactly with `htm`. */
  readonly method: string;
  /** The normalised request URL (`requestHtu`), compared with the normalised `htu`. */
  readonly htu: string;
  /** The access token from the `Authorization: DPoP` header, hashed into `ath`. */
  readonly accessToken: string;
  /** The token's `cnf.jkt`: the thumbprint the proof key must have. */
  readonly jkt: string;
}

/** Checks DPoP proofs (RFC 9449 §4.3 and §7.1). */
export interface DpopVerifier {
  /**
   * Resolves when the proof is good and not seen before; rejects with `InvalidDpopProofError`,
   * `InvalidTokenError` (the proof key is not the token's) or `TemporarilyUnavailableError`.
   */
  verify(input: DpopProofInput): Promise<void>;
}

// JWK members that only private or symmetric keys have (RFC 7518 §6).
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const maxJtiLength = 256;

// Fixed sentences per jose error code: descriptions never echo the proof.
const byCode: Record<string, string> = {
  ERR_JOSE_ALG_NOT_ALLOWED: 'the DPoP proof is signed with an algorithm that is not allowed',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'the DPoP proof signature is invalid',
  ERR_JWT_EXPIRED: 'the DPoP proof has expired',
};

function toProofError(error: unknown): InvalidDpopProofError {
  const { code, claim } = (error ?? {}) as { code?: unknown; claim?: unknown };
  let description = 'the DPoP proof is malformed';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'typ') {
    description = 'the DPoP proof is not a DPoP proof JWT (typ must be dpop+jwt)';
  } else if (typeof code === 'string' && Object.hasOwn(byCode, code)) {
    description = byCode[code]!;
  }
  return new InvalidDpopProofError(description, { cause: error });
}

// The proof's own key, checked before jose imports it: a private key in a header is refused by
// name (RFC 9449 §4.3 check 7), not merely because it fails to import as public.
async function embeddedPublicKey(header: CompactJWSHeaderParameters, token: FlattenedJWSInput) {
  const { jwk } = header;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw new InvalidDpopProofError('the DPoP proof has no public key (jwk) in its header');
  }
  if (privateMembers.some((member) => Object.hasOwn(jwk, member))) {
    throw new InvalidDpopProofError('the DPoP proof key must be a public key');
  }
  return EmbeddedJWK(header, token);
}

function requireString(claims: JWTPayload, name: string, maxLength = 8192): string {
  const value = claims[name];
  if (typeof value !== 'string' || value === '' || value.length > maxLength) {
    throw new InvalidDpopProofError('the DPoP proof lacks a required claim');
  }
  return value;
}

/**
 * Creates the DPoP proof verifier of one resource server. A proof is accepted when it is a JWS
 * with `typ: dpop+jwt`, an allowed asymmetric `alg` (never `none` or HMAC, checked before
 * anything else), a public `jwk` header whose key verifies the signature, `htm` equal to the
 * request method, `htu` equal to the request URL (query and fragment ignored), `iat` no older
 * than `iatWindowSeconds` and no further in the future than the leeway, `ath` equal to the
 * SHA-256 of the access token, a key whose RFC 7638 thumbprint is the token's `cnf.jkt`, and a
 * `jti` (per key) not seen in the window. The `jti` is recorded last, so a proof refused for
 * another reason does not use up its `jti`.
 *
 * @example
 * const dpop = createDpopVerifier(config.dpop, store, Date.now, 30);
 * await dpop.verify({ proof, method: 'GET', htu, accessToken, jkt });
 */
export function createDpopVerifier(
  options: ResolvedDpop,
  store: DpopReplayStore,
  now: () => number,
  clockToleranceSeconds: number,
): DpopVerifier {
  const verifyOptions = { algorithms: [...options.algorithms], typ: 'dpop+jwt' };
  const windowMs = options.iatWindowSeconds * 1000;

  async function markUsed(key: string, expiresAt: number): Promise<boolean> {
    try {
      return (await store.markUsed(key, expiresAt)) === true;
    } catch (error) {
      if (isResourceServerError(error)) throw error;
      // Without the store no proof can be shown to be fresh: refuse, retryably.
      throw new TemporarilyUnavailableError(1, { cause: error });
    }
  }

  return {
    async verify({ proof, method, htu, accessToken, jkt }) {
      const at = now();
      let payload: JWTPayload;
      let jwk: JWK;
      try {
        const verified = await jwtVerify(proof, embeddedPublicKey, {
          ...verifyOptions,
          currentDate: new Date(at),
        });
        payload = verified.payload;
        jwk = verified.protectedHeader.jwk as JWK;
      } catch (error) {
        if (isResourceServerError(error)) throw error;
        throw toProofError(error);
      }
      const jti = requireString(payload, 'jti', maxJtiLength);
      const htm = requireString(payload, 'htm');
      const proofHtu = requireString(payload, 'htu');
      const { iat } = payload;
      if (typeof iat !== 'number' || !Number.isFinite(iat)) {
        throw new InvalidDpopProofError('the DPoP proof lacks a required claim');
      }
      if (iat * 1000 < at - windowMs) throw new InvalidDpopProofError('the DPoP proof is too old');
      if (iat * 1000 > at + clockToleranceSeconds * 1000) {
        throw new InvalidDpopProofError('the DPoP proof is issued in the future');
      }
      if (htm !== method) {
        throw new InvalidDpopProofError('the DPoP proof is for another HTTP method');
      }
      if (normalizeHtu(proofHtu) !== htu) {
        throw new InvalidDpopProofError('the DPoP proof is for another URL');
      }
      if (payload.ath !== hash('sha256', accessToken, 'base64url')) {
        throw new InvalidDpopProofError('the DPoP proof is not for this access token');
      }
      // RFC 9449 §7.1 answers a key mismatch as a token problem: the token is bound elsewhere.
      if ((await calculateJwkThumbprint(jwk, 'sha256')) !== jkt) {
        throw new InvalidTokenError('the access token is bound to another key than the proof');
      }
      // Per key, so one client's jti values cannot collide with (or burn) another's.
      const key = hash('sha256', `${jkt} ${jti}`, 'base64url');
      if (!(await markUsed(key, iat * 1000 + windowMs))) {
        throw new InvalidDpopProofError('the DPoP proof has been used before');
      }
    },
  };
}
