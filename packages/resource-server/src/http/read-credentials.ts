import type { IncomingMessage } from 'node:http';
import { InvalidRequestError, InvalidTokenError } from '../errors.ts';

/** An access token and the scheme it was presented with. */
export interface Credentials {
  readonly scheme: 'bearer' | 'dpop';
  readonly token: string;
}

/** Which `Authorization` schemes this resource server reads. */
export interface AcceptedSchemes {
  readonly bearer: boolean;
  readonly dpop: boolean;
}

// RFC 7235 credentials: an auth-scheme token, then one or more spaces and the parameters.
const credentialsPattern = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: +(.*))?$/s;
// RFC 6750 §2.1 b64token, which is RFC 7235 token68, the syntax of the DPoP scheme too.
const b64tokenPattern = /^[A-Za-z0-9\-._~+/]+=*$/;

function countAuthorizationHeaders(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    // Compare the length first: lower-casing every header name of every request is wasted work.
    if (name.length === 13 && name.toLowerCase() === 'authorization') count += 1;
  }
  return count;
}

function schemeOf(name: string, accepted: AcceptedSchemes): Credentials['scheme'] | undefined {
  const lower = name.toLowerCase();
  if (lower === 'bearer') return accepted.bearer ? 'bearer' : undefined;
  if (lower === 'dpop') return accepted.dpop ? 'dpop' : undefined;
  return undefined;
}

/**
 * Reads the access token of a request from its `Authorization` header, the only place a token
 * is accepted (tokens in the query string or body are ignored), with the `Bearer` scheme and,
 * where accepted, the `DPoP` scheme (both case-insensitive). Returns `undefined` when there are
 * no credentials of an accepted scheme (no header, `Basic`, or `DPoP` while DPoP is off: RFC 6750
 * treats an unsupported method as no credentials). Throws `InvalidRequestError` (400) for a
 * malformed or repeated header, or for a token also sent as an `access_token` query parameter,
 * and `InvalidTokenError` (401) for a token longer than `maxTokenLength`, before looking at it.
 *
 * @example
 * const credentials = readCredentials(ctx.req, ctx.querystring, 4096, { bearer: true, dpop: false });
 */
export function readCredentials(
  req: IncomingMessage,
  querystring: string,
  maxTokenLength: number,
  accepted: AcceptedSchemes,
): Credentials | undefined {
  // Node keeps only the first Authorization header in `req.headers`; the raw list has them all.
  if (countAuthorizationHeaders(req.rawHeaders) > 1) {
    throw new InvalidRequestError('the request has more than one Authorization header');
  }
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = credentialsPattern.exec(header);
  if (match === null) throw new InvalidRequestError('the Authorization header is malformed');
  const scheme = schemeOf(match[1]!, accepted);
  if (scheme === undefined) return undefined;
  const token = match[2];
  if (token === undefined || token === '') {
    throw new InvalidRequestError('the Authorization header has no access token');
  }
  if (token.length > maxTokenLength) throw new InvalidTokenError('the access token is too long');
  if (!b64tokenPattern.test(token)) {
    throw new InvalidRequestError('the access token is not a valid token68 value');
  }
  // RFC 6750 §3.1: more than one method of sending a token is an invalid request.
  if (querystring !== '' && new URLSearchParams(querystring).has('access_token')) {
    throw new InvalidRequestError('the access token must be sent only in the Authorization header');
  }
  return { scheme, token };
}
