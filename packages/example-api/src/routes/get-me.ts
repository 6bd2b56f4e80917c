import type { AuthContext, AuthenticatedState } from '@portcullis/resource-server';
import type { Middleware } from 'koa';

// What `ctx.body = object` makes Koa look up in its media-type table on every response.
const jsonType = 'application/json; charset=utf-8';

// The answer of each token, kept while its AuthContext lives: the resource server hands every
// request with a token verified before the same frozen AuthContext (from its verified-token
// cache), so a hot token's answer is serialised once instead of on every request. Weakly held: an
// entry goes when the cache drops the token. Nothing secret is kept (`sub`, `client_id`, scopes).
const answers = new WeakMap<AuthContext, string>();

function answerOf(auth: AuthContext): string {
  let answer = answers.get(auth);
  if (answer === undefined) {
    const { subject, clientId, scope, actor } = auth;
    answer = JSON.stringify(
      actor.length > 0
        ? { sub: subject, client_id: clientId, scope, actor }
        : { sub: subject, client_id: clientId, scope },
    );
    answers.set(auth, answer);
  }
  return answer;
}

/**
 * `GET /me`: who the access token speaks for, `{ sub, client_id, scope }`, and for a delegated
 * token (RFC 8693 token exchange) `actor`: the services acting for `sub`, the current one first.
 * The JSON is written as a string with its media type set once (the same bytes and headers as
 * `ctx.body = object`, without Koa's per-response media-type lookup), serialised once per token
 * while the resource server keeps it verified: this is the route the benchmark measures,
 * docs/benchmarks.md.
 */
export const getMe: Middleware<AuthenticatedState> = (ctx) => {
  ctx.res.setHeader('Content-Type', jsonType);
  ctx.body = answerOf(ctx.state.auth);
};
