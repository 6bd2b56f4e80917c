import type { AuthenticatedState } from '@portcullis/resource-server';
import type { Middleware } from 'koa';

// What `ctx.body = object` makes Koa look up in its media-type table on every response.
const jsonType = 'application/json; charset=utf-8';

/**
 * `GET /me`: who the access token speaks for, `{ sub, client_id, scope }`, and for a delegated
 * token (RFC 8693 token exchange) `actor`: the services acting for `sub`, the current one first.
 * The JSON is written as a string with its media type set once (the same bytes and headers as
 * `ctx.body = object`, without Koa's per-response media-type lookup: this is the route the
 * benchmark measures, docs/benchmarks.md).
 */
export const getMe: Middleware<AuthenticatedState> = (ctx) => {
  const { subject, clientId, scope, actor } = ctx.state.auth;
  ctx.res.setHeader('Content-Type', jsonType);
  ctx.body = JSON.stringify(
    actor.length > 0
      ? { sub: subject, client_id: clientId, scope, actor }
      : { sub: subject, client_id: clientId, scope },
  );
};
