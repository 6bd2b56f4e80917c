import type { AuthenticatedState } from '@portcullis/resource-server';
import type { Middleware } from 'koa';

/**
 * `GET /me`: who the access token speaks for, `{ sub, client_id, scope }`, and for a delegated
 * token (RFC 8693 token exchange) `actor`: the services acting for `sub`, the current one first.
 */
export const getMe: Middleware<AuthenticatedState> = (ctx) => {
  const { subject, clientId, scope, actor } = ctx.state.auth;
  ctx.body = { sub: subject, client_id: clientId, scope, ...(actor.length > 0 ? { actor } : {}) };
};
