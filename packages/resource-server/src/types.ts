import type { JWTPayload } from 'jose';

/** What `authenticate()` puts in `ctx.state.auth` for a verified access token. */
export interface AuthContext {
  /** The `sub` claim: the user, or the client itself for client-credentials tokens. */
  readonly subject: string;
  /** The `client_id` claim: the OAuth client the token was issued to. */
  readonly clientId: string;
  /** The space-delimited `scope` claim as a set; empty when the token has no `scope`. */
  readonly scopes: ReadonlySet<string>;
  /** Every verified claim, for rules this package does not model yet. */
  readonly claims: Readonly<JWTPayload>;
  /** The token format that was verified; introspected opaque tokens will add a value. */
  readonly token: 'jwt';
}

/**
 * Koa state after required authentication. Type a router with it instead of augmenting Koa's
 * global `DefaultState`: `new Router<AuthenticatedState>()`.
 */
export interface AuthenticatedState {
  auth: AuthContext;
}

/** Koa state after optional authentication: `auth` is set only when a token was presented. */
export interface OptionalAuthState {
  auth?: AuthContext;
}

/** Options of `createResourceServer`. Every key is validated once, at creation. */
export interface ResourceServerOptions {
  /** The authorization server's issuer identifier, compared exactly with `iss`. */
  issuer: string;
  /** This API's resource identifier; the token's `aud` must contain it. */
  audience: string;
  /**
   * The issuer's JWKS URL. Default: the `jwks_uri` of
   * `${issuer}/.well-known/oauth-authorization-server`, fetched once, on the first request.
   */
  jwksUri?: string;
  /** Allowed JWS algorithms [`['ES256']`]. `none` and HMAC algorithms are refused. */
  algorithms?: string[];
  /** Leeway for `exp`, `nbf` and `iat`, in seconds [30], at most 60. */
  clockToleranceSeconds?: number;
  /** Longest token accepted, in characters [4096]; longer tokens are refused unparsed. */
  maxTokenLength?: number;
  /** `realm` of the `WWW-Authenticate` challenge [the audience]. */
  realm?: string;
  /** Remote JWKS tuning, passed to jose's `createRemoteJWKSet`. */
  jwks?: JwksOptions;
  /**
   * Current time in milliseconds since the epoch [`Date.now`]. For tests: it drives the claim
   * time checks and the failure cooldown (jose's JWKS cache keeps its own clock).
   */
  now?: () => number;
  /**
   * Cache of verified tokens, keyed by a SHA-256 of the token and never used past the token's
   * `exp`, so a token seen again is not verified again [`{ maxEntries: 10000 }`]; `false` to
   * verify every request in full.
   */
  cache?: false | { maxEntries?: number };
}

/** Remote JWKS tuning. */
export interface JwksOptions {
  /** Timeout of one metadata or JWKS request, in ms [5000]. */
  timeoutMs?: number;
  /**
   * Least time between two JWKS fetches triggered by an unknown `kid`, and how long a failed
   * metadata or JWKS fetch is remembered before the next attempt, in ms [30000], at least 1000.
   */
  cooldownMs?: number;
  /** How long fetched keys are trusted before they are fetched again, in ms [600000]. */
  cacheMaxAgeMs?: number;
}

/** Options of `authenticate()`. */
export interface AuthenticateOptions {
  /**
   * Let requests without Bearer credentials through with `ctx.state.auth` unset [false]. A
   * presented token is still verified, and a bad one still answers 401.
   */
  optional?: boolean;
}
