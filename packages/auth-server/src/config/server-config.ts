import { isIP } from 'node:net';
import { AuthServerError } from '../errors.ts';
import { type LimitsConfig, parseLimitRule } from '../limits/limit-rule.ts';
import { parseDuration } from './duration.ts';

/** The authorization server's validated configuration. */
export interface ServerConfig {
  mode: 'production' | 'development';
  issuer: string;
  host: string;
  port: number;
  /** Keys that sign oidc-provider's cookies; the first signs, all verify. */
  cookieKeys: string[];
  /** 32-byte key that encrypts signing keys at rest. */
  keyEncryptionKey: Buffer;
  /** Trust `X-Forwarded-*` from a proxy in front. */
  trustProxy: boolean;
  /** Seconds after a refresh token's rotation in which its reuse is refused without revoking. */
  refreshReuseGraceSeconds: number;
  /** Seconds between janitor runs inside `serve`; 0: no schedule. */
  janitorIntervalSeconds: number;
  /** Seconds a stopping server lets requests in flight finish before it cuts them. */
  shutdownGraceSeconds: number;
  /** Brute-force limits on failed client authentication and failed sign-ins. */
  limits: LimitsConfig;
  /** Port of the Prometheus `/metrics` listener (0: any free port); undefined: no listener. */
  metricsPort: number | undefined;
  /** Address the metrics listener binds to. */
  metricsHost: string;
  /**
   * How the log is written: one JSON object per line, or readable lines for a person; undefined:
   * the command decides (`dev` on a terminal: pretty; everything else: JSON).
   */
  logFormat?: 'json' | 'pretty';
}

/**
 * What reads a setting: `serve`, `dev`, `example-api` (the example API run alone), every command
 * (`cli`), or the test runner (`tests`).
 */
export type SettingUse = 'serve' | 'dev' | 'example-api' | 'cli' | 'tests';

/** One environment variable of the server's configuration. */
export interface Setting {
  env: string;
  description: string;
  default: string;
  /** What reads it; unset: `serve` and `dev`. */
  usedBy?: readonly SettingUse[];
}

/** Every setting, with its description and default: the source of the configuration reference. */
export const SETTINGS: readonly Setting[] = [
  { env: 'PORTCULLIS_PORT', description: 'authorization server port', default: '3000' },
  {
    env: 'PORTCULLIS_HOST',
    description: 'address to listen on',
    default: '127.0.0.1 in dev, 0.0.0.0 in serve',
  },
  {
    env: 'PORTCULLIS_ISSUER',
    description:
      'issuer URL; https required in production except on loopback. `example-api` accepts tokens of this issuer only',
    default: 'http://localhost:$PORTCULLIS_PORT',
    usedBy: ['serve', 'dev', 'example-api'],
  },
  {
    env: 'PORTCULLIS_COOKIE_KEYS',
    description:
      'comma-separated cookie signing keys, each at least 32 characters; the first signs',
    default: 'required in serve; generated into the data folder in dev',
  },
  {
    env: 'PORTCULLIS_KEY_ENCRYPTION_KEY',
    description: 'base64url of 32 random bytes; encrypts signing keys at rest',
    default: 'required in serve; generated into the data folder in dev',
  },
  {
    env: 'PORTCULLIS_REFRESH_REUSE_GRACE_SECONDS',
    description:
      'seconds after a refresh token was rotated during which reusing it is refused without revoking the grant (concurrent refreshes); later reuse revokes the grant. 0 to 60',
    default: '10',
  },
  {
    env: 'PORTCULLIS_JANITOR_INTERVAL',
    description:
      'how often `serve` purges expired and long-consumed tokens, codes and sessions (like 1h or 30m); one replica at a time purges (PostgreSQL advisory lock). 0 or off: never (run `portcullis tokens purge` from cron instead)',
    default: '1h',
    usedBy: ['serve'],
  },
  {
    env: 'PORTCULLIS_SHUTDOWN_GRACE',
    description:
      'on SIGTERM or SIGINT the server stops accepting connections at once and lets the requests in flight finish for up to this long (like 10s or 1m, 0s to 10m), then cuts the rest, closes the database pool and exits 0',
    default: '10s',
  },
  {
    env: 'PORTCULLIS_TRUST_PROXY',
    description:
      'trust X-Forwarded-* headers from one proxy in front (true or false); the client address (rate limits, audit) is then the last X-Forwarded-For entry, the one the proxy added',
    default: 'false',
  },
  {
    env: 'PORTCULLIS_LIMIT_CLIENT_AUTH',
    description:
      'failed client authentications allowed per client id on /token, introspection, revocation, device authorization and PAR, as failures/window (like 10/1m; window 1s to 1d); past it, failed attempts get 429 with Retry-After until a whole window passes, and a correct secret still works. off: no limit',
    default: '10/1m',
  },
  {
    env: 'PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS',
    description:
      'failed client authentications allowed per client address (X-Forwarded-For only with PORTCULLIS_TRUST_PROXY), as failures/window; same rules as PORTCULLIS_LIMIT_CLIENT_AUTH',
    default: '30/1m',
  },
  {
    env: 'PORTCULLIS_LIMIT_SIGNIN',
    description:
      'failed sign-ins allowed per username (any case) as failures/window (like 10/15m); one more locks the username for a whole window, and while locked every sign-in gets the wrong-password answer. A successful sign-in resets it. off: no limit',
    default: '10/15m',
  },
  {
    env: 'PORTCULLIS_LIMIT_SIGNIN_ADDRESS',
    description:
      'failed sign-ins allowed per browser address, any usernames, as failures/window; one more locks sign-in from that address for a whole window, like PORTCULLIS_LIMIT_SIGNIN',
    default: '100/15m',
  },
  {
    env: 'PORTCULLIS_METRICS_PORT',
    description:
      "port of a separate listener serving Prometheus metrics at GET /metrics (0: any free port); off: no listener. With `serve --workers N` the primary serves every worker's metrics added up",
    default: 'off',
  },
  {
    env: 'PORTCULLIS_METRICS_HOST',
    description:
      'address the metrics listener binds to; keep it on loopback or a private network, as /metrics has no authentication',
    default: '127.0.0.1',
  },
  {
    env: 'PORTCULLIS_LOG_FORMAT',
    description:
      'how `serve` and `dev` write their log on stderr: json (one JSON object per line, for log collectors) or pretty (a line per entry for people: time, level, message and fields; a request as method, path, status, OAuth error and duration). Secrets are redacted in both',
    default: 'pretty for `dev` when stderr is a terminal (and without --json); json otherwise',
  },
  {
    env: 'PORTCULLIS_DATA_DIR',
    description:
      'data folder for the embedded PostgreSQL (used when DATABASE_URL is unset) and the development secrets of `dev`, which `serve` refuses. As root with a folder the postgres user cannot enter (a private home), the cluster lives in /var/lib/portcullis/clusters, linked from <folder>/pg; `portcullis db remove-embedded` deletes both',
    default: '.portcullis',
    usedBy: ['cli'],
  },
  {
    env: 'PORTCULLIS_API_PORT',
    description: 'example API port',
    default: '4000',
    usedBy: ['dev', 'example-api'],
  },
  {
    env: 'PORTCULLIS_API_HOST',
    description: 'address the example API listens on when run alone (`portcullis example-api`)',
    default: '0.0.0.0 (`dev` always listens on 127.0.0.1)',
    usedBy: ['example-api'],
  },
  {
    env: 'PORTCULLIS_API_RESOURCE',
    description:
      "the example API's resource identifier: the audience its access tokens must name, and the URL its RFC 9728 metadata and challenges give as its own. Register it at the authorization server with the notes:read and notes:write scopes",
    default: 'http://localhost:$PORTCULLIS_API_PORT (what `dev` registers)',
    usedBy: ['example-api'],
  },
  {
    env: 'PORTCULLIS_API_JWKS_URI',
    description:
      "where the example API fetches the issuer's signing keys (http or https URL); set it when the API reaches the authorization server by another name than the issuer's (Compose, Kubernetes)",
    default: "unset: the jwks_uri of the issuer's discovery document",
    usedBy: ['example-api'],
  },
  {
    env: 'PORTCULLIS_ACTOR',
    description: 'who the audit trail names for changes made through the CLI (`cli:<name>`)',
    default: 'the operating-system user',
    usedBy: ['cli'],
  },
  {
    env: 'PORTCULLIS_DEBUG',
    description:
      '1: print the stack trace of an unexpected error after its one-line message; 0: do not',
    default: '0',
    usedBy: ['cli'],
  },
  {
    env: 'PORTCULLIS_TEST_DATA_DIR',
    description:
      '`pnpm test`: data folder of the embedded PostgreSQL the suite starts when DATABASE_URL is unset',
    default: '.portcullis/test',
    usedBy: ['tests'],
  },
  {
    env: 'PORTCULLIS_BROWSER',
    description:
      '`pnpm test`: path of the chromium or Chrome that the browser test (packages/e2e/test/browser.test.ts) drives; `pnpm test` passes the one it found or installed to the test in this variable',
    default:
      "unset: chromium, chromium-browser, google-chrome or google-chrome-stable on PATH, then the newest chromium in Playwright's browser cache; with none, `pnpm test` installs Debian's chromium when root on Debian, else stops naming the command to run",
    usedBy: ['tests'],
  },
];

/**
 * Development secrets: in `dev`, used when the matching variables are unset; in production, the
 * data folder's ones, given only so that `serve` can refuse them.
 */
export interface DevSecrets {
  cookieKeys: string[];
  keyEncryptionKey: string;
}

/**
 * Reads and validates the configuration from the environment. Bad values are rejected with the
 * variable's name, and so is a `PORTCULLIS_*` variable that is not a setting (with the closest
 * setting's name), so a misspelt setting never turns into a silent default. Production
 * (`serve`) refuses to start without its secrets, with the development secrets of the data
 * folder (`devSecrets`), or with a plain-http issuer off loopback.
 *
 * @example
 * const config = loadServerConfig(process.env, { mode: 'production' });
 */
export function loadServerConfig(
  env: NodeJS.ProcessEnv,
  options: { mode: 'production' | 'development'; devSecrets?: DevSecrets },
): ServerConfig {
  const { mode } = options;
  rejectUnknownSettings(env);
  if (!['1', '0', '', undefined].includes(env.PORTCULLIS_DEBUG)) {
    throw invalid('PORTCULLIS_DEBUG must be 1 (on) or 0 (off)');
  }
  const port = parsePort(env.PORTCULLIS_PORT, 'PORTCULLIS_PORT', 3000);
  const host =
    parseHost(env.PORTCULLIS_HOST, 'PORTCULLIS_HOST') ??
    (mode === 'production' ? '0.0.0.0' : '127.0.0.1');
  const issuer = parseIssuer(env.PORTCULLIS_ISSUER ?? `http://localhost:${port}`, mode);

  const cookieSource = env.PORTCULLIS_COOKIE_KEYS ?? options.devSecrets?.cookieKeys.join(',');
  const kekSource = env.PORTCULLIS_KEY_ENCRYPTION_KEY ?? options.devSecrets?.keyEncryptionKey;
  if (mode === 'production') {
    const missing = ['PORTCULLIS_COOKIE_KEYS', 'PORTCULLIS_KEY_ENCRYPTION_KEY'].filter(
      (k) => !env[k],
    );
    if (missing.length > 0) {
      throw invalid(
        `${missing.join(' and ')} must be set: \`serve\` never uses development secrets`,
      );
    }
    rejectDevSecrets(env, options.devSecrets);
  }
  if (!cookieSource) throw invalid('PORTCULLIS_COOKIE_KEYS must be set');
  if (!kekSource) throw invalid('PORTCULLIS_KEY_ENCRYPTION_KEY must be set');

  const cookieKeys = cookieSource.split(',').map((k) => k.trim());
  if (cookieKeys.some((k) => k.length < 32)) {
    throw invalid('PORTCULLIS_COOKIE_KEYS: every key must be at least 32 characters');
  }
  const keyEncryptionKey = Buffer.from(kekSource, 'base64url');
  if (keyEncryptionKey.length !== 32 || keyEncryptionKey.toString('base64url') !== kekSource) {
    throw invalid('PORTCULLIS_KEY_ENCRYPTION_KEY must be base64url of exactly 32 bytes');
  }

  return {
    mode,
    issuer,
    host,
    port,
    cookieKeys,
    keyEncryptionKey,
    trustProxy: parseBoolean(env.PORTCULLIS_TRUST_PROXY, 'PORTCULLIS_TRUST_PROXY', false),
    refreshReuseGraceSeconds: parseSeconds(
      env.PORTCULLIS_REFRESH_REUSE_GRACE_SECONDS,
      'PORTCULLIS_REFRESH_REUSE_GRACE_SECONDS',
      10,
      60,
    ),
    janitorIntervalSeconds: parseInterval(env.PORTCULLIS_JANITOR_INTERVAL),
    shutdownGraceSeconds: parseShutdownGrace(env.PORTCULLIS_SHUTDOWN_GRACE),
    limits: {
      clientAuth: parseLimit(env, 'PORTCULLIS_LIMIT_CLIENT_AUTH', '10/1m'),
      clientAuthAddress: parseLimit(env, 'PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS', '30/1m'),
      signIn: parseLimit(env, 'PORTCULLIS_LIMIT_SIGNIN', '10/15m'),
      signInAddress: parseLimit(env, 'PORTCULLIS_LIMIT_SIGNIN_ADDRESS', '100/15m'),
    },
    metricsPort:
      env.PORTCULLIS_METRICS_PORT === 'off'
        ? undefined
        : parseOptionalPort(env.PORTCULLIS_METRICS_PORT, 'PORTCULLIS_METRICS_PORT'),
    metricsHost: parseMetricsHost(env.PORTCULLIS_METRICS_HOST),
    ...parseLogFormat(env.PORTCULLIS_LOG_FORMAT),
  };
}

function parseLogFormat(value: string | undefined): Pick<ServerConfig, 'logFormat'> {
  if (value === undefined || value === '') return {};
  if (value === 'json' || value === 'pretty') return { logFormat: value };
  throw invalid(`PORTCULLIS_LOG_FORMAT must be json or pretty, got "${value}"`);
}

function invalid(message: string): AuthServerError {
  return new AuthServerError('config_invalid', message);
}

/**
 * Refuses a `PORTCULLIS_*` variable that no setting has: a typo or a leftover, which would
 * otherwise leave the setting that was meant on its default. The error names the closest setting.
 *
 * @example
 * rejectUnknownSettings(process.env); // a misspelt setting: config_invalid, naming the closest
 */
export function rejectUnknownSettings(env: NodeJS.ProcessEnv): void {
  const known = SETTINGS.map((s) => s.env);
  const unknown = Object.keys(env)
    .filter((name) => name.startsWith('PORTCULLIS_') && !known.includes(name))
    .sort();
  if (unknown.length === 0) return;
  const named = unknown.map((name) => `${name} (did you mean ${closest(name, known)}?)`);
  throw invalid(
    `${named.join(', ')} ${unknown.length === 1 ? 'is not a setting' : 'are not settings'}; see docs/configuration.md`,
  );
}

function closest(name: string, candidates: readonly string[]): string {
  let best = candidates[0] ?? '';
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

// Levenshtein distance: insertions, deletions and substitutions of one character.
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

// Production never runs on the secrets `dev` generated into the data folder: anyone who can
// read that folder could forge cookies or decrypt the signing keys.
function rejectDevSecrets(env: NodeJS.ProcessEnv, devSecrets: DevSecrets | undefined): void {
  if (!devSecrets) return;
  const cookieKeys = env.PORTCULLIS_COOKIE_KEYS?.split(',').map((k) => k.trim()) ?? [];
  const reused = [
    cookieKeys.some((k) => devSecrets.cookieKeys.includes(k)) ? 'PORTCULLIS_COOKIE_KEYS' : '',
    env.PORTCULLIS_KEY_ENCRYPTION_KEY === devSecrets.keyEncryptionKey
      ? 'PORTCULLIS_KEY_ENCRYPTION_KEY'
      : '',
  ].filter(Boolean);
  if (reused.length > 0) {
    throw invalid(
      `${reused.join(' and ')} ${reused.length === 1 ? 'is' : 'are'} the development secret of the data folder (dev-secrets.json): \`serve\` never uses development secrets`,
    );
  }
}

/**
 * Parses an address to listen on, the variable `name`: an IP address or a DNS name; undefined
 * when unset, for the caller's default.
 *
 * @example
 * parseHost(env.PORTCULLIS_API_HOST, 'PORTCULLIS_API_HOST') ?? '0.0.0.0';
 */
export function parseHost(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const hostName =
    /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
  if (isIP(value) === 0 && !hostName.test(value)) {
    throw invalid(`${name} must be an IP address or a host name, got "${value}"`);
  }
  return value;
}

// An address to bind the metrics listener to: IPv4, IPv6 or a host name [127.0.0.1].
function parseMetricsHost(value: string | undefined): string {
  if (value === undefined || value === '') return '127.0.0.1';
  if (!/^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$/.test(value)) {
    throw invalid(`PORTCULLIS_METRICS_HOST must be an IP address or a host name, got "${value}"`);
  }
  return value;
}

// A port, or undefined when unset.
function parseOptionalPort(value: string | undefined, name: string): number | undefined {
  return value === undefined || value === '' ? undefined : parsePort(value, name, 0);
}

/** Parses a TCP port variable; `fallback` only when it is unset. */
export function parsePort(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw invalid(`${name} must be a port number from 0 to 65535, got "${value}"`);
  }
  return port;
}

function parseSeconds(
  value: string | undefined,
  name: string,
  fallback: number,
  max: number,
): number {
  if (value === undefined || value === '') return fallback;
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds > max) {
    throw invalid(`${name} must be a whole number of seconds from 0 to ${max}, got "${value}"`);
  }
  return seconds;
}

// The janitor's interval: a duration from 1 minute to 1 day, or 0/off for none [1h].
function parseInterval(value: string | undefined): number {
  if (value === undefined || value === '') return 3600;
  if (value === '0' || value === 'off') return 0;
  const seconds = parseDuration(value);
  if (seconds === undefined || seconds < 60 || seconds > 86_400) {
    throw invalid(
      `PORTCULLIS_JANITOR_INTERVAL must be a duration from 1m to 1d (like 1h), or off, got "${value}"`,
    );
  }
  return seconds;
}

// A brute-force limit: failures/window, or off; `fallback` only when it is unset.
function parseLimit(env: NodeJS.ProcessEnv, name: string, fallback: string) {
  const value = env[name] === undefined || env[name] === '' ? fallback : (env[name] as string);
  const rule = parseLimitRule(value);
  if (rule === undefined) {
    throw invalid(
      `${name} must be failures/window (like 10/1m: 1 to 100000 failures, a window from 1s to 1d) or off, got "${value}"`,
    );
  }
  return rule;
}

// How long a stopping server waits for requests in flight: 0s to 10m [10s].
function parseShutdownGrace(value: string | undefined): number {
  if (value === undefined || value === '') return 10;
  const seconds = parseDuration(value);
  if (seconds === undefined || seconds > 600) {
    throw invalid(
      `PORTCULLIS_SHUTDOWN_GRACE must be a duration from 0s to 10m (like 10s), got "${value}"`,
    );
  }
  return seconds;
}

function parseBoolean(value: string | undefined, name: string, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalid(`${name} must be true or false`);
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function parseIssuer(value: string, mode: ServerConfig['mode']): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`PORTCULLIS_ISSUER must be an absolute URL, got "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid('PORTCULLIS_ISSUER must use https (or http on loopback)');
  }
  if (url.search || url.hash || url.username || url.password) {
    throw invalid('PORTCULLIS_ISSUER must not have a query, fragment or credentials');
  }
  if (mode === 'production' && url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    throw invalid('PORTCULLIS_ISSUER must use https in production (http only on loopback)');
  }
  // oidc-provider compares issuers as strings: drop a lone trailing slash so both spellings work.
  return value.endsWith('/') && url.pathname === '/' ? value.slice(0, -1) : value;
}
