import type { PoolStats } from '@portcullis/storage';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** A signing key as the metrics see it: enough to tell its age, never its private part. */
export interface KeyAge {
  kid: string;
  alg: string;
  state: string;
  createdAt: Date;
}

/** One finished HTTP request, with labels that are bounded sets (never raw paths or ids). */
export interface RequestObservation {
  /** A fixed route name: oidc-provider's route name or one of ours (see `route-names.ts`). */
  route: string;
  method: string;
  /** The response status, or `aborted` when the client went away first. */
  status: string;
  seconds: number;
}

/**
 * The server's Prometheus metrics, one registry per server instance (several servers in one
 * process, as in tests, keep their own counts). Every label value is from a bounded set: route
 * names, methods, statuses, OAuth error codes, grant types, registered client ids, limit names,
 * published key ids. Never pass a raw path, a username, an address or a token.
 */
export interface Metrics {
  readonly registry: Registry;
  /** Counts a finished request and observes its duration. */
  observeRequest(observation: RequestObservation): void;
  /** Counts a successful token response of `grantType` to the registered client `clientId`. */
  tokenIssued(grantType: string, clientId: string): void;
  /** Counts an OAuth error answered on `route` (an unknown code counts as `other`). */
  oauthError(route: string, error: string): void;
  /**
   * Counts a request refused by a rate limit. `limit` is a fixed name for the limit that refused
   * it, such as `token_client` or `sign_in_address`: never a client id, an address or a username.
   */
  rateLimitHit(limit: string): void;
  /** Counts an OIDC Back-Channel Logout delivery to the registered client `clientId`. */
  backchannelLogout(clientId: string, result: 'delivered' | 'failed'): void;
  /** Reads the database pool's use at every scrape. */
  watchPool(read: () => PoolStats): void;
  /** The signing keys published now; their ages are computed at every scrape. */
  setSigningKeys(keys: readonly KeyAge[]): void;
  /** The text exposition of every metric, for a scrape. */
  render(): Promise<string>;
}

/** The OAuth 2.0 / OIDC error codes counted by name; anything else is `other`. */
const OAUTH_ERRORS = new Set([
  'access_denied',
  'account_selection_required',
  'authorization_pending',
  'consent_required',
  'expired_token',
  'insufficient_scope',
  'interaction_required',
  'invalid_authorization_details',
  'invalid_client',
  'invalid_client_metadata',
  'invalid_dpop_proof',
  'invalid_grant',
  'invalid_redirect_uri',
  'invalid_request',
  'invalid_request_object',
  'invalid_request_uri',
  'invalid_scope',
  'invalid_target',
  'invalid_token',
  'login_required',
  'registration_not_supported',
  'request_not_supported',
  'request_uri_not_supported',
  'server_error',
  'slow_down',
  'temporarily_unavailable',
  'unauthorized_client',
  'unmet_authentication_requirements',
  'unsupported_grant_type',
  'unsupported_response_mode',
  'unsupported_response_type',
  'unsupported_token_type',
  'use_dpop_nonce',
]);

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** `method` if it is a common HTTP method, else `other`: the label stays a small set. */
function methodLabel(method: string | undefined): string {
  return method && METHODS.has(method) ? method : 'other';
}

/** `error` if it is a known OAuth error code, else `other`. */
function oauthErrorLabel(error: unknown): string {
  return typeof error === 'string' && OAUTH_ERRORS.has(error) ? error : 'other';
}

// Token requests take milliseconds; sign-ins (argon2) and database waits take longer.
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Creates the metrics of one server, with Node.js's process metrics (CPU, memory, event loop
 * lag, GC) in the same registry.
 *
 * @example
 * const metrics = createMetrics();
 * metrics.rateLimitHit('token_client');
 * metrics.watchPool(() => databasePoolStats(db));
 * const text = await metrics.render(); // Prometheus text format
 */
export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'portcullis_http_requests_total',
    help: 'HTTP requests answered, by route name, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'portcullis_http_request_duration_seconds',
    help: 'Time from a request arriving to its response being sent, by route name and method',
    labelNames: ['route', 'method'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'portcullis_tokens_issued_total',
    help: 'Successful token endpoint responses, by grant type and client',
    labelNames: ['grant_type', 'client_id'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'portcullis_oauth_errors_total',
    help: 'OAuth error responses, by route name and error code',
    labelNames: ['route', 'error'] as const,
    registers: [registry],
  });
  const rateLimits = new Counter({
    name: 'portcullis_rate_limit_hits_total',
    help: 'Requests refused by a brute-force or abuse limit, by limit',
    labelNames: ['limit'] as const,
    registers: [registry],
  });
  const logouts = new Counter({
    name: 'portcullis_backchannel_logouts_total',
    help: 'Logout tokens sent to clients (OIDC Back-Channel Logout), by client and result',
    labelNames: ['client_id', 'result'] as const,
    registers: [registry],
  });

  let readPool: (() => PoolStats) | undefined;
  const pool = () => readPool?.();
  new Gauge({
    name: 'portcullis_db_pool_connections',
    help: 'Database pool connections: used (lent to a query), free (idle), pending (being opened)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const stats = pool();
      if (!stats) return;
      this.set({ state: 'used' }, stats.used);
      this.set({ state: 'free' }, stats.free);
      this.set({ state: 'pending' }, stats.pendingCreates);
    },
  });
  new Gauge({
    name: 'portcullis_db_pool_waiting_queries',
    help: 'Queries waiting for a database connection',
    registers: [registry],
    collect() {
      const stats = pool();
      if (stats) this.set(stats.pendingAcquires);
    },
  });
  new Gauge({
    name: 'portcullis_db_pool_max_connections',
    help: 'The most connections the database pool opens',
    registers: [registry],
    collect() {
      const stats = pool();
      if (stats) this.set(stats.max);
    },
  });

  let keys: readonly KeyAge[] = [];
  new Gauge({
    name: 'portcullis_signing_key_age_seconds',
    help: 'Age of each published signing key since it was created, by kid, algorithm and state',
    labelNames: ['kid', 'alg', 'state'] as const,
    // Several workers serve the same keys: their ages are not to be added up.
    aggregator: 'max',
    registers: [registry],
    collect() {
      this.reset();
      const now = Date.now();
      for (const key of keys) {
        this.set(
          { kid: key.kid, alg: key.alg, state: key.state },
          Math.max(0, (now - key.createdAt.getTime()) / 1000),
        );
      }
    },
  });

  return {
    registry,
    observeRequest({ route, method, status, seconds }) {
      requests.inc({ route, method: methodLabel(method), status });
      durations.observe({ route, method: methodLabel(method) }, seconds);
    },
    tokenIssued(grantType, clientId) {
      tokens.inc({ grant_type: grantType, client_id: clientId });
    },
    oauthError(route, error) {
      errors.inc({ route, error: oauthErrorLabel(error) });
    },
    rateLimitHit(limit) {
      rateLimits.inc({ limit });
    },
    backchannelLogout(clientId, result) {
      logouts.inc({ client_id: clientId, result });
    },
    watchPool(read) {
      readPool = read;
    },
    setSigningKeys(next) {
      keys = next.map(({ kid, alg, state, createdAt }) => ({ kid, alg, state, createdAt }));
    },
    render: () => registry.metrics(),
  };
}
