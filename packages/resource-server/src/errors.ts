// Every error this package produces carries a stable string `code` (callers switch on it,
// never on `instanceof`, which breaks when two copies of the package are installed), the HTTP
// `status` it maps to, and `expose` (safe to show the client) per oidc-provider's convention.

/** Stable codes of every error raised by `@portcullis/resource-server`. */
export const errorCodes = {
  config: 'ERR_RS_CONFIG',
  invalidRequest: 'ERR_RS_INVALID_REQUEST',
  credentialsRequired: 'ERR_RS_CREDENTIALS_REQUIRED',
  invalidToken: 'ERR_RS_INVALID_TOKEN',
  insufficientScope: 'ERR_RS_INSUFFICIENT_SCOPE',
  temporarilyUnavailable: 'ERR_RS_TEMPORARILY_UNAVAILABLE',
  invalidDpopProof: 'ERR_RS_INVALID_DPOP_PROOF',
  rateLimited: 'ERR_RS_RATE_LIMITED',
} as const;

/** One of the values of {@link errorCodes}. */
export type ResourceServerErrorCode = (typeof errorCodes)[keyof typeof errorCodes];

const knownCodes: ReadonlySet<string> = new Set(Object.values(errorCodes));

/**
 * Base class of the errors answered over HTTP. `error` is the RFC 6750 / OAuth error code sent to
 * the client; `description` is a fixed sentence that never contains request data.
 */
export abstract class ResourceServerError extends Error {
  abstract readonly code: ResourceServerErrorCode;
  abstract readonly status: number;
  abstract readonly error: string;
  get expose(): boolean {
    return this.status < 500;
  }
  readonly description: string;

  constructor(description: string, options?: ErrorOptions) {
    super(description, options);
    this.name = new.target.name;
    this.description = description;
  }
}

/**
 * Whether `value` is an error raised by this package (any copy of it), recognised by its code.
 *
 * @example
 * if (isResourceServerError(err) && err.code === errorCodes.invalidToken) { ... }
 */
export function isResourceServerError(value: unknown): value is ResourceServerError {
  if (!(value instanceof Error)) return false;
  const { code } = value as { code?: unknown };
  return typeof code === 'string' && code !== errorCodes.config && knownCodes.has(code);
}

/**
 * Invalid options given to `createResourceServer` or `requireScopes`; thrown at creation time so
 * a misconfigured server never starts. `key` names the offending option (e.g. `jwks.cooldownMs`).
 */
export class ResourceServerConfigError extends Error {
  readonly code = errorCodes.config;
  readonly status = 500;
  readonly expose = false;
  readonly key: string;

  constructor(key: string, message: string) {
    super(`Invalid resource server option "${key}": ${message}`);
    this.name = 'ResourceServerConfigError';
    this.key = key;
  }
}

/** 400 `invalid_request`: the request itself is malformed (RFC 6750 §3.1). */
export class InvalidRequestError extends ResourceServerError {
  readonly code = errorCodes.invalidRequest;
  readonly status = 400;
  readonly error = 'invalid_request';
}

/**
 * 401 without an error code: no Bearer credentials were sent (RFC 6750 §3.1 says the challenge
 * then carries no `error`). The JSON body uses `unauthorized` so every failure has one shape.
 */
export class CredentialsRequiredError extends ResourceServerError {
  readonly code = errorCodes.credentialsRequired;
  readonly status = 401;
  readonly error = 'unauthorized';

  constructor() {
    super('a Bearer access token is required');
  }
}

/** 401 `invalid_token`: a token was presented but cannot be accepted. */
export class InvalidTokenError extends ResourceServerError {
  readonly code = errorCodes.invalidToken;
  readonly status = 401;
  readonly error = 'invalid_token';
}

/** 403 `insufficient_scope`: the token is valid but lacks a scope the route needs. */
export class InsufficientScopeError extends ResourceServerError {
  readonly code = errorCodes.insufficientScope;
  readonly status = 403;
  readonly error = 'insufficient_scope';
  /** Every scope the route needs, space-delimited, as sent in the challenge's `scope`. */
  readonly scope: string;

  constructor(requiredScopes: readonly string[]) {
    super('the access token does not grant the scope this request needs');
    this.scope = requiredScopes.join(' ');
  }
}

/**
 * 503: the issuer's metadata or JWKS cannot be fetched, so no token can be judged either way.
 * Answering 401 would tell clients to throw away good tokens; 500 would hide that it is
 * transient. `retryAfterSeconds` feeds the `Retry-After` header. A throttle whose shared store
 * is down answers it too when told to fail closed (with its own fixed description).
 */
export class TemporarilyUnavailableError extends ResourceServerError {
  readonly code = errorCodes.temporarilyUnavailable;
  readonly status = 503;
  readonly error = 'temporarily_unavailable';
  readonly retryAfterSeconds: number;

  constructor(
    retryAfterSeconds: number,
    options?: ErrorOptions,
    description = 'token verification is temporarily unavailable',
  ) {
    super(description, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** 401 `invalid_dpop_proof` (RFC 9449 §7.1): the DPoP proof sent with the token is refused. */
export class InvalidDpopProofError extends ResourceServerError {
  readonly code = errorCodes.invalidDpopProof;
  readonly status = 401;
  readonly error = 'invalid_dpop_proof';
}

/**
 * 429: a throttle's rate was exceeded. `retryAfterSeconds` feeds the `Retry-After` header; no
 * challenge is sent, because another token would not help.
 */
export class RateLimitedError extends ResourceServerError {
  readonly code = errorCodes.rateLimited;
  readonly status = 429;
  readonly error = 'rate_limited';
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super('too many requests: retry after the number of seconds in Retry-After');
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
