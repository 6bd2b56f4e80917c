import type { IncomingMessage } from 'node:http';
import {
  type CredentialHeader,
  type CredentialRequest,
  repeatedHeader,
} from './credential-request.ts';

// The value of the request's one header `name`, read from the raw header list: Node keeps only
// the first Authorization header in `req.headers` and joins repeated unknown ones (DPoP) with
// ", ", and builds that object on first use, which a request answered from the cache never needs.
function rawHeader(
  rawHeaders: readonly string[],
  name: CredentialHeader,
): string | undefined | typeof repeatedHeader {
  let value: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const raw = rawHeaders[i]!;
    // Compare the length first: lower-casing every header name of every request is wasted work.
    if (raw.length !== name.length) continue;
    if (raw !== name && raw.toLowerCase() !== name) continue;
    if (value !== undefined) return repeatedHeader;
    value = rawHeaders[i + 1];
  }
  return value;
}

/**
 * The {@link CredentialRequest} of a Node.js request (`node:http`, and so Koa, Express and
 * Fastify, which all keep it): its method, its request target (`req.url`, before any router
 * rewrote it) and its raw headers.
 *
 * @example
 * const request = fromNodeRequest(req);
 */
export function fromNodeRequest(req: IncomingMessage): CredentialRequest {
  return new NodeCredentialRequest(req);
}

// One object per request, its `header` on the prototype: no closure per request.
class NodeCredentialRequest implements CredentialRequest {
  readonly method: string;
  readonly target: string;
  readonly #rawHeaders: readonly string[];

  constructor(req: IncomingMessage) {
    this.method = req.method ?? 'GET';
    this.target = req.url ?? '/';
    this.#rawHeaders = req.rawHeaders;
  }

  header(name: CredentialHeader): string | undefined | typeof repeatedHeader {
    return rawHeader(this.#rawHeaders, name);
  }
}
