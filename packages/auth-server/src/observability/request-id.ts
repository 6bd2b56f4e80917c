import { randomUUID } from 'node:crypto';

// Letters, digits and a few separators, at most 128 characters: a UUID, nginx's $request_id, an
// AWS trace id ("Root=1-...") all fit; nothing that could break a log line or a header does.
const SAFE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:=-]{0,127}$/;

/**
 * The id of a request: the `X-Request-Id` it came with when that header is `trusted` (set by
 * our own proxy) and is one short, safe token; otherwise a new random UUID.
 *
 * @example
 * requestIdFor(req.headers['x-request-id'], config.trustProxy); // '3f1c...' or the proxy's id
 */
export function requestIdFor(header: string | string[] | undefined, trusted: boolean): string {
  if (trusted && typeof header === 'string' && SAFE_REQUEST_ID.test(header)) return header;
  return randomUUID();
}
