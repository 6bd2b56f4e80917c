import {
  type CredentialHeader,
  type CredentialRequest,
  repeatedHeader,
} from './credential-request.ts';

// `Headers` joins a repeated header into one value with ", ". Neither a token68 (Bearer, DPoP,
// Basic credentials) nor a compact JWS (a DPoP proof) contains a comma, so in those values a
// comma followed by another `scheme SP` (Authorization) or by anything (DPoP) is a second header.
// Schemes whose parameters use commas themselves (`Digest realm="a", nonce="b"`) continue with
// `name=`, not `name SP`, and stay one header.
const secondCredentials = /,[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+(?: |$)/;

function joinedHeader(
  headers: Headers,
  name: CredentialHeader,
): string | undefined | typeof repeatedHeader {
  const value = headers.get(name);
  if (value === null) return undefined;
  if (name === 'dpop' ? value.includes(',') : secondCredentials.test(value)) return repeatedHeader;
  return value;
}

/**
 * The {@link CredentialRequest} of a fetch-style `Request` (Deno, Bun, Cloudflare Workers, Hono,
 * Next.js route handlers): its method, its URL's path and query as the request target, and its
 * headers.
 *
 * @example
 * const request = fromFetchRequest(new Request('https://api.example.com/notes'));
 */
export function fromFetchRequest(request: Request): CredentialRequest {
  const url = request.url;
  // `Request.url` is absolute: keep the path and query, what a Node server sees as `req.url`.
  const path = url.indexOf('/', url.indexOf('//') + 2);
  const hash = url.indexOf('#');
  const target = path === -1 ? '/' : url.slice(path, hash === -1 ? undefined : hash);
  return {
    method: request.method,
    target,
    header: (name) => joinedHeader(request.headers, name),
  };
}
