import type { IncomingMessage } from 'node:http';
import { InvalidDpopProofError } from '../errors.ts';

// A proof carries a public key (an RSA-4096 JWK is under 1 KiB) and a few claims; anything
// much bigger is not a proof, and is refused before it is decoded.
const maxProofLength = 8192;
// RFC 7515 compact serialization: three base64url segments.
const compactJwsPattern = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function countDpopHeaders(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 4 && name.toLowerCase() === 'dpop') count += 1;
  }
  return count;
}

/**
 * Reads the one `DPoP` proof header of a request (RFC 9449 §4.3 checks 1 and 2). Throws
 * `InvalidDpopProofError` (401) when it is missing, repeated, oversized or not a compact JWS.
 *
 * @example
 * const proof = readDpopProof(ctx.req);
 */
export function readDpopProof(req: IncomingMessage): string {
  // Node joins repeated unknown headers with ", " in `req.headers`; count the raw ones instead.
  const count = countDpopHeaders(req.rawHeaders);
  if (count === 0) throw new InvalidDpopProofError('the request has no DPoP proof');
  if (count > 1) throw new InvalidDpopProofError('the request has more than one DPoP proof');
  const proof = req.headers.dpop;
  if (typeof proof !== 'string' || proof.length > maxProofLength) {
    throw new InvalidDpopProofError('the DPoP proof is malformed');
  }
  if (!compactJwsPattern.test(proof))
    throw new InvalidDpopProofError('the DPoP proof is malformed');
  return proof;
}
