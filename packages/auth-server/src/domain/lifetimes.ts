// Lifetimes, in seconds, that more than one layer must agree on. The rest of oidc-provider's
// lifetimes are its configuration's own (`ttl` in provider/create-provider.ts).

/**
 * An access token's lifetime when its client does not set one: what a new resource gets, and
 * what a token for no registered resource lives. 10 minutes: a JWT cannot be recalled.
 */
export const DEFAULT_ACCESS_TOKEN_TTL = 600;

/**
 * An ID token's lifetime. A retired signing key stays published at least this long
 * (keys/rotation-policy.ts), so every ID token it signed can still be verified.
 */
export const ID_TOKEN_TTL = 3600;

/**
 * How long a browser session (and its cookie) lasts: oidc-provider's sessions, and those the
 * account page starts.
 */
export const SESSION_TTL_SECONDS = 14 * 24 * 3600;

/**
 * A refresh token's lifetime when its client does not set one (each rotation starts a new one);
 * what the CLI shows as the default.
 */
export const DEFAULT_REFRESH_TOKEN_TTL = 14 * 24 * 3600;
