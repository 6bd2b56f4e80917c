import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthContext } from '../types.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The verified token, set by `rs.authenticate()` (@portcullis/resource-server/fastify);
     * undefined before it ran, or after optional authentication without a token.
     */
    auth?: AuthContext;
  }
}

/** A Fastify hook of this package, for `onRequest` or `preHandler`. */
export type FastifyHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: (error?: Error) => void,
) => void;
