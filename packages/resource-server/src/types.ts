import type { JWTPayload } from 'jose';

/** What `authenticate()` puts in `ctx.state.auth` for a verified access token. */
export interface AuthContext {
  /** The `sub` claim: the user, or the client itself for client-credentials tokens. */
  readonly subject: string;
  /** The `client_id` claim: the OAuth client the token was issued to. */
  readonly clientId: string;
  /** The space-delimited `scope` claim as a set; empty when the token has no `scope`. */
  readonly scopes: ReadonlySet<string>;
  /**
   * The same scopes as one space-delimited string, each once, in the token's order (what
   * django-oauth-toolkit's `AccessToken.scope` holds); `''` when the token has no `scope`.
   */
  readonly scope: string;
  /**
   * The actor chain of a delegated token (RFC 8693 token exchange, the `act` claim): the client
   * id (`act.sub`) of the service calling for the subject first, then whoever it acted for, down
   * to the earliest; empty when the subject presents its own token. Rule: `actedBy(...)`.
   */
  readonly actor: readonly string[];
  /** Every verified claim, for rules this package does not model yet. */
  readonly claims: Readonly<JWTPayload>;
  /**
   * How the token was judged: `'jwt'`, verified locally (RFC 9068), or `'opaque'`, vouched for by
   * the issuer's introspection endpoint (RFC 7662).
   */
  readonly token: 'jwt' | 'opaque';
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
  /**
   * Refuse tokens issued (`iat`) longer ago than this many seconds, even before their `exp`
   * [no limit]. Verified tokens leave the cache at that age too.
   */
  maxTokenAgeSeconds?: number;
  /**
   * Claims every token must carry besides RFC 9068's (`iss`, `aud`, `exp`, `iat`, `sub`,
   * `client_id`, `jti`, always required), e.g. `['auth_time']` [none]. Check values with `claim()`.
   */
  requiredClaims?: string[];
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
  /**
   * The URL at which clients reach this HTTP server's root, e.g. `https://api.example.com` (with
   * the path prefix a proxy strips, if any). DPoP proofs' `htu` is checked against it plus the
   * request path, so it is required with `dpop`; it also gives the default `metadataUrl`.
   */
  publicUrl?: string;
  /**
   * The RFC 9728 metadata URL sent as `resource_metadata` in every challenge [with `publicUrl`:
   * `${publicUrl}/.well-known/oauth-protected-resource`; without: none].
   */
  metadataUrl?: string;
  /** `resource_name` of the protected-resource metadata (RFC 9728). */
  resourceName?: string;
  /** `scopes_supported` of the protected-resource metadata (RFC 9728). */
  scopes?: string[];
  /** Accept opaque tokens by asking the issuer's introspection endpoint (RFC 7662). */
  introspection?: IntrospectionOptions;
  /** Accept DPoP-bound tokens with `Authorization: DPoP` and a `DPoP` proof (RFC 9449). */
  dpop?: DpopOptions;
  /**
   * Follow the issuer's revocation feed and refuse revoked tokens (401 `invalid_token`, cached
   * ones included) within about a second of their revocation, before they expire [off]. `true`
   * follows it as the introspection client; an object sets the client and the limits. Call
   * `close()` on the resource server to stop following.
   */
  revocationFeed?: true | RevocationFeedOptions;
}

/**
 * The revocation feed (Portcullis's `revocation_feed_endpoint`): revoked grants, tokens, users
 * and clients, followed by long polling and held in memory until the tokens they name expire.
 */
export interface RevocationFeedOptions {
  /** The feed's URL [the `revocation_feed_endpoint` of the issuer's metadata]. */
  endpoint?: string;
  /**
   * Client id this resource server authenticates as: one the resource names as its
   * introspection client [`introspection.clientId`].
   */
  clientId?: string;
  /** Its client secret [`introspection.clientSecret`]. */
  clientSecret?: string;
  /**
   * How long tokens are still accepted, judged by the revocations already held, once the feed
   * cannot be reached, in seconds [60], 0 to 3600; after that every token is answered 503 until
   * the feed answers again. Revocations made meanwhile are not seen during the grace.
   */
  graceSeconds?: number;
  /**
   * Most revocations held in memory [100000], 100 to 10000000. Past it the oldest are dropped
   * and every token issued before the newest dropped one is refused until those would have
   * expired: an overflow refuses too much for a while, never too little.
   */
  maxEntries?: number;
  /** How long one feed request waits for news, in seconds [20], 1 to 30. */
  waitSeconds?: number;
}

/**
 * Introspection of opaque tokens (RFC 7662). A token that is not a JWS or JWE compact
 * serialization is sent to the endpoint with HTTP Basic client authentication.
 */
export interface IntrospectionOptions {
  /** Introspection endpoint [the `introspection_endpoint` of the issuer's metadata]. */
  endpoint?: string;
  /** Client id this resource server authenticates with at the endpoint. */
  clientId: string;
  /** Its client secret. */
  clientSecret: string;
  /**
   * Longest time an active answer is reused, in seconds [60], 0 to 3600; never past the token's
   * `exp`. 0 asks the endpoint on every request.
   */
  maxCacheSeconds?: number;
}

/** DPoP (RFC 9449) settings. */
export interface DpopOptions {
  /** Refuse Bearer credentials: only DPoP-bound tokens with a proof are accepted [false]. */
  required?: boolean;
  /** Oldest accepted proof `iat`, in seconds before now [60], 1 to 300. */
  iatWindowSeconds?: number;
  /** Allowed proof algorithms [`['ES256', 'PS256', 'EdDSA', 'Ed25519']`]; asymmetric only. */
  algorithms?: string[];
  /**
   * Size of the in-process proof replay cache [100000]. When it is full of proofs still inside
   * their window, new proofs are refused with 503 rather than risking a replay.
   */
  replayCacheSize?: number;
  /** A shared replay store, for deployments with several replicas (replaces the cache). */
  replayStore?: DpopReplayStore;
}

/**
 * Where used DPoP proofs are remembered. Several replicas of an API must share one store, or a
 * proof replayed to another replica is accepted.
 */
export interface DpopReplayStore {
  /**
   * Records the proof `key` (a digest of its key thumbprint and `jti`) and tells whether it is
   * new: `true` the first time, `false` for a replay. Must be atomic (insert-only, a conflict
   * loses). The key may be forgotten after `expiresAt` (ms since the epoch). A rejection or
   * throw answers 503.
   */
  markUsed(key: string, expiresAt: number): boolean | Promise<boolean>;
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
