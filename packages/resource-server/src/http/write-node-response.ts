import type { ServerResponse } from 'node:http';
import type { MetadataResponse } from '../metadata/protected-resource-metadata.ts';
import type { ErrorResponse } from './error-response.ts';

/**
 * Writes an error or metadata answer to a Node.js response (`node:http`, Express): status, its
 * headers and the JSON body, with its length. Node leaves the body out of a HEAD answer itself.
 *
 * @example
 * writeNodeResponse(res, errorResponse(new CredentialsRequiredError(), challenge));
 */
export function writeNodeResponse(
  res: ServerResponse,
  response: ErrorResponse | MetadataResponse,
): void {
  const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  res.statusCode = response.status;
  for (const name in response.headers) res.setHeader(name, response.headers[name]!);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}
