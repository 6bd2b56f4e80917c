import type { FastifyReply } from 'fastify';
import type { ErrorResponse } from '../http/error-response.ts';

/**
 * Answers an error on a Fastify reply: status, headers and the JSON body.
 *
 * @example
 * sendResponse(reply, errorResponse(new CredentialsRequiredError(), challenge));
 */
export function sendResponse(reply: FastifyReply, response: ErrorResponse): void {
  reply.code(response.status).headers(response.headers).send(response.body);
}
