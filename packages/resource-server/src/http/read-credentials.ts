import { InvalidRequestError, InvalidTokenError } from '../errors.ts';
import { type CredentialRequest, repeatedHeader } from './credential-request.ts';

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

// RFC 7235 auth-scheme: a token (tchar+). The credentials are the scheme, then one or more spaces
// and the parameters; parsed by hand, not by one regular expression over the whole header: the
// header is mostly the token, and the token is checked once, by `assertToken68`, only when it is
// not a token verified before.
const schemePattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// RFC 6750 §2.1 b64token, which is RFC 7235 token68, the syntax of the DPoP scheme too.
const b64tokenPattern = /^[A-Za-z0-9\-._~+/]+=*$/;

function schemeOf(name: string, accepted: AcceptedSchemes): Credentials['scheme'] | undefined {
  // Nearly every request spells it this way: no lower-cased copy for those.
  if (name === 'Bearer') return accepted.bearer ? 'bearer' : undefined;
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
 * The token's own syntax is left to {@link assertToken68}.
 *
 * @example
 * const credentials = readCredentials(fromNodeRequest(req), 4096, { bearer: true, dpop: false });
 */
export function readCredentials(
  request: CredentialRequest,
  maxTokenLength: number,
  accepted: AcceptedSchemes,
): Credentials | undefined {
  const header = request.header('authorization');
  if (header === undefined) return undefined;
  if (header === repeatedHeader) {
    throw new InvalidRequestError('the request has more than one Authorization header');
  }
  const space = header.indexOf(' ');
  const name = space === -1 ? header : header.slice(0, space);
  // `Bearer`, as nearly every request spells it, is a valid scheme name: no pattern to test.
  if (name !== 'Bearer' && !schemePattern.test(name)) {
    throw new InvalidRequestError('the Authorization header is malformed');
  }
  const scheme = schemeOf(name, accepted);
  if (scheme === undefined) return undefined;
  let start = space + 1;
  while (header.charCodeAt(start) === 0x20) start += 1;
  if (space === -1 || start === header.length) {
    throw new InvalidRequestError('the Authorization header has no access token');
  }
  const token = header.slice(start);
  if (token.length > maxTokenLength) throw new InvalidTokenError('the access token is too long');
  // RFC 6750 §3.1: more than one method of sending a token is an invalid request. The query
  // string is read from the request target itself: most requests have none, and need no parsing.
  const { target } = request;
  const query = target.indexOf('?');
  if (query !== -1 && new URLSearchParams(target.slice(query + 1)).has('access_token')) {
    throw new InvalidRequestError('the access token must be sent only in the Authorization header');
  }
  return { scheme, token };
}

/**
 * Throws `InvalidRequestError` (400) unless `token` is an RFC 6750 b64token (RFC 7235 token68).
 * `readCredentials` leaves this check out: a token that hits the verified-token cache passed it
 * when it was verified (only checked tokens are verified), so only the others need it.
 *
 * @example
 * assertToken68(credentials.token);
 */
export function assertToken68(token: string): void {
  if (!b64tokenPattern.test(token)) {
    throw new InvalidRequestError('the access token is not a valid token68 value');
  }
}
