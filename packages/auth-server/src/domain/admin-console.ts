/** Where the admin console is served, below the issuer's origin (docs/operators.md, "Console"). */
export const CONSOLE_PATH = '/admin';

/** Where the authorization server sends the operator back after signing in to the console. */
export const CONSOLE_CALLBACK_PATH = '/admin/callback';

/**
 * Where the authorization server sends the operator back after signing out of the console (the
 * console's client's only post-logout redirect URI, on the issuer).
 */
export const CONSOLE_SIGNED_OUT_PATH = '/admin/signed-out';

/**
 * The name of the console's own client: how each start finds it again. The client is public
 * (PKCE, no secret to keep) and its only redirect URI is {@link CONSOLE_CALLBACK_PATH} on the
 * issuer, so its codes can only ever reach the console's server side.
 */
export const CONSOLE_CLIENT_NAME = 'Portcullis console';

/**
 * The role that entitles a user to the admin scopes through the console (every admin scope is
 * role-gated once the console is on). Registered with all four scopes the first time; an
 * operator may narrow it (`roles`), or make other roles with fewer scopes.
 */
export const CONSOLE_ROLE = 'portcullis-admin';

/** How long a console session lasts (PORTCULLIS_CONSOLE_IDLE_TIMEOUT, PORTCULLIS_CONSOLE_MAX_SESSION). */
export interface ConsoleSessionLimits {
  /** Seconds without a request after which a console session ends. */
  idleSeconds: number;
  /** Seconds after signing in after which a console session ends, used or not. */
  maxSeconds: number;
}
