import type { Middleware, ParameterizedContext } from 'koa';
import type { ResourceServerCore } from '../core/create-core.ts';
import type { AuthOutcome } from '../core/create-request-authenticator.ts';
import { resolveOptional } from '../core/resolve-optional.ts';
import { markDpopUsed, setChallengeSettings } from '../http/challenge-state.ts';
import { fromNodeRequest } from '../http/from-node-request.ts';
import { setRealm } from '../http/realm-state.ts';
import { sendError } from '../http/send-error.ts';
import type { AuthenticateOptions, OptionalAuthState } from '../types.ts';

/**
 * Creates the Koa middleware behind `rs.authenticate()`: the core authenticates the request
 * (`Bearer` or `DPoP` credentials, JWT or introspection, key binding), then the middleware sets
 * `ctx.state.auth` and calls `next`, or answers the error itself without calling `next`. `next`
 * is called outside any `try`, so an error thrown downstream is never turned into a 401.
 *
 * @example
 * app.use(createAuthenticate(createCore(options), { optional: true }));
 */
export function createAuthenticate(
  core: ResourceServerCore,
  options?: AuthenticateOptions,
): Middleware<OptionalAuthState> {
  const optional = resolveOptional(options);
  const { authenticator, config } = core;

  const settle = (ctx: ParameterizedContext<OptionalAuthState>, outcome: AuthOutcome): boolean => {
    if (outcome.dpopUsed) markDpopUsed(ctx.state);
    if (!outcome.ok) {
      sendError(ctx, outcome.error, config.realm);
      return false;
    }
    if (outcome.auth !== undefined) ctx.state.auth = outcome.auth;
    return true;
  };

  // The common case, a Bearer JWT verified before, is answered without waiting on anything: no
  // promise between the header and `next`.
  return function authenticate(ctx, next) {
    setRealm(ctx.state, config.realm);
    setChallengeSettings(ctx.state, authenticator.settings);
    const outcome = authenticator.authenticate(fromNodeRequest(ctx.req), optional);
    if (!(outcome instanceof Promise)) {
      return settle(ctx, outcome) ? next() : Promise.resolve();
    }
    return outcome.then((settled) => (settle(ctx, settled) ? next() : undefined));
  };
}
