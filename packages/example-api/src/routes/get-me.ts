import type { AuthenticatedState } from '@portcullis/resource-server';
import type { Middleware } from 'koa';

/** `GET /me`: who the access token speaks for, `{ sub, client_id, scope }`. */
export const getMe: Middleware<AuthenticatedState> = (ctx) => {
  const { subject, clientId, scope } = ctx.state.auth;
  ctx.body = { sub: subject, client_id: clientId, scope };
};
