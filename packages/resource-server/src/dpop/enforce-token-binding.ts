import { InvalidDpopProofError, InvalidTokenError } from '../errors.ts';
import type { CredentialRequest } from '../http/credential-request.ts';
import type { Credentials } from '../http/read-credentials.ts';
import { readDpopProof } from '../http/read-dpop-proof.ts';
import type { AuthContext } from '../types.ts';
import type { DpopVerifier } from './create-dpop-verifier.ts';
import { requestHtu } from './request-htu.ts';

/** What DPoP checking needs; undefined when DPoP is off. */
export interface DpopCheck {
  readonly verifier: DpopVerifier;
  readonly publicUrl: string;
}

/**
 * Enforces sender constraint after the token itself was verified (or found in the verified-token
 * cache), on every request. A token with any `cnf` (RFC 7800) presented as Bearer is refused
 * (RFC 9449 §7.2: a downgraded DPoP-bound token, or a binding this server cannot check). A token
 * presented with the DPoP scheme must have `cnf.jkt`, and the request's one `DPoP` proof must
 * verify against it.
 *
 * @example
 * await enforceTokenBinding(request, credentials, auth, dpopCheck);
 */
export async function enforceTokenBinding(
  request: CredentialRequest,
  credentials: Credentials,
  auth: AuthContext,
  dpop: DpopCheck | undefined,
): Promise<void> {
  const { cnf } = auth.claims;
  if (credentials.scheme === 'bearer' || dpop === undefined) {
    if (cnf !== undefined) {
      throw new InvalidTokenError(
        'the access token is bound to a key and cannot be used as a Bearer token',
      );
    }
    return;
  }
  const jkt = (cnf as { jkt?: unknown } | undefined)?.jkt;
  if (typeof jkt !== 'string' || jkt === '') {
    throw new InvalidTokenError('the access token is not bound to a DPoP key');
  }
  const proof = readDpopProof(request);
  const htu = requestHtu(dpop.publicUrl, request.target);
  if (htu === undefined) throw new InvalidDpopProofError('the DPoP proof is for another URL');
  await dpop.verifier.verify({
    proof,
    method: request.method,
    htu,
    accessToken: credentials.token,
    jkt,
  });
}
