import { InvalidDpopProofError } from '../errors.ts';
import { type CredentialRequest, repeatedHeader } from './credential-request.ts';

// A proof carries a public key (an RSA-4096 JWK is under 1 KiB) and a few claims; anything
// much bigger is not a proof, and is refused before it is decoded.
const maxProofLength = 8192;
// RFC 7515 compact serialization: three base64url segments.
const compactJwsPattern = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Reads the one `DPoP` proof header of a request (RFC 9449 §4.3 checks 1 and 2). Throws
 * `InvalidDpopProofError` (401) when it is missing, repeated, oversized or not a compact JWS.
 *
 * @example
 * const proof = readDpopProof(fromNodeRequest(req));
 */
export function readDpopProof(request: CredentialRequest): string {
  const proof = request.header('dpop');
  if (proof === undefined) throw new InvalidDpopProofError('the request has no DPoP proof');
  if (proof === repeatedHeader) {
    throw new InvalidDpopProofError('the request has more than one DPoP proof');
  }
  if (proof.length > maxProofLength) {
    throw new InvalidDpopProofError('the DPoP proof is malformed');
  }
  if (!compactJwsPattern.test(proof))
    throw new InvalidDpopProofError('the DPoP proof is malformed');
  return proof;
}
