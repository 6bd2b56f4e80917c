import {
  type ChallengeSettings,
  getChallengeSettings,
  markDpopUsed,
  setChallengeSettings,
  wasDpopUsed,
} from './challenge-state.ts';
import type { Challenge } from './error-response.ts';

// `Symbol.for`, not `Symbol()`: `requireScopes` from another installed copy of this package must
// still find the realm. A symbol key keeps it out of templates and JSON dumps of `ctx.state`.
const realmKey = Symbol.for('@portcullis/resource-server/realm');

/** Records on `ctx.state` that `authenticate()` ran, and with which realm. */
export function setRealm(state: object, realm: string): void {
  (state as Record<symbol, unknown>)[realmKey] = realm;
}

/** The realm recorded by `authenticate()`, or `undefined` when it has not run. */
export function getRealm(state: object): string | undefined {
  const realm = (state as Record<symbol, unknown>)[realmKey];
  return typeof realm === 'string' ? realm : undefined;
}

/**
 * The challenge of later errors, from what `authenticate()` recorded on `ctx.state`; undefined
 * when it has not run.
 *
 * @example
 * const challenge = stateChallenge(ctx.state);
 */
export function stateChallenge(state: object): Challenge | undefined {
  const realm = getRealm(state);
  if (realm === undefined) return undefined;
  return { realm, settings: getChallengeSettings(state), dpopUsed: wasDpopUsed(state) };
}

/**
 * Records on a request's state object (Koa's `ctx.state`, Express's `res.locals`, a Fastify
 * request) what later answers need: that authentication ran, its realm, the schemes accepted and
 * whether the request used DPoP.
 *
 * @example
 * recordChallenge(res.locals, config.realm, authenticator.settings, outcome.dpopUsed);
 */
export function recordChallenge(
  state: object,
  realm: string,
  settings: ChallengeSettings,
  dpopUsed: boolean,
): void {
  setRealm(state, realm);
  setChallengeSettings(state, settings);
  if (dpopUsed) markDpopUsed(state);
}
