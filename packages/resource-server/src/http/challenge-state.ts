// What `authenticate()` records on `ctx.state` so that whoever answers an error later (scope
// rules, throttles) writes the same challenges: which schemes this resource accepts and which
// one the request used. `Symbol.for`, not `Symbol()`: another installed copy of this package must
// find it too; a symbol key keeps it out of templates and JSON dumps of `ctx.state`.
const settingsKey = Symbol.for('@portcullis/resource-server/challenge');
const dpopUsedKey = Symbol.for('@portcullis/resource-server/dpop-used');

/** The challenge parameters of one resource server, computed once. */
export interface ChallengeSettings {
  /** Bearer credentials are accepted (false when DPoP is required). */
  readonly bearer: boolean;
  /** Space-delimited DPoP proof algorithms; undefined when DPoP is off. */
  readonly dpopAlgs: string | undefined;
  /** RFC 9728 `resource_metadata` URL; undefined when not configured. */
  readonly resourceMetadata: string | undefined;
}

type State = Record<symbol, unknown>;

/**
 * Records the challenge settings of the resource server that authenticates this request.
 *
 * @example
 * setChallengeSettings(ctx.state, settings);
 */
export function setChallengeSettings(state: object, settings: ChallengeSettings): void {
  (state as State)[settingsKey] = settings;
}

/**
 * The settings recorded by `authenticate()`, or undefined before it ran.
 *
 * @example
 * const settings = getChallengeSettings(ctx.state);
 */
export function getChallengeSettings(state: object): ChallengeSettings | undefined {
  return (state as State)[settingsKey] as ChallengeSettings | undefined;
}

/**
 * Records that the request presented its token with the DPoP scheme, so errors about it are
 * answered in a DPoP challenge.
 *
 * @example
 * markDpopUsed(ctx.state);
 */
export function markDpopUsed(state: object): void {
  (state as State)[dpopUsedKey] = true;
}

/**
 * Whether the request presented its token with the DPoP scheme.
 *
 * @example
 * if (wasDpopUsed(ctx.state)) { ... }
 */
export function wasDpopUsed(state: object): boolean {
  return (state as State)[dpopUsedKey] === true;
}
