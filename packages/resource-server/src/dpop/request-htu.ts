import { parseUrl } from '../http/parse-url.ts';

/**
 * The `htu` a DPoP proof must carry for a request, normalised for comparison: the configured
 * public URL of the server root followed by the request path as it reached Node (before any
 * `koa-mount` rewrote `ctx.path`), without query or fragment (RFC 9449 §4.3 check 9). Parsing
 * applies RFC 3986 syntax-based normalisation (scheme and host case, default port, dot segments)
 * the same way to both sides.
 *
 * @example
 * requestHtu('https://api.example.com', '/notes?page=2'); // 'https://api.example.com/notes'
 */
export function requestHtu(publicUrl: string, requestTarget: string): string | undefined {
  // An absolute-form request target (sent to proxies) carries its own origin: keep the path only.
  const path = requestTarget.startsWith('/')
    ? requestTarget
    : (parseUrl(requestTarget)?.pathname ?? '');
  const end = path.search(/[?#]/);
  return normalizeHtu(publicUrl + (end === -1 ? path : path.slice(0, end)));
}

/**
 * A proof's `htu` claim reduced to origin and path, or undefined when it is not an absolute
 * http(s) URL.
 *
 * @example
 * normalizeHtu('HTTPS://API.example.com:443/notes?x#y'); // 'https://api.example.com/notes'
 */
export function normalizeHtu(value: string): string | undefined {
  const url = parseUrl(value);
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:')) return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  return `${url.origin}${url.pathname}`;
}
