import { isIP } from 'node:net';
import type { ConsoleSessionLimits } from '../domain/admin-console.ts';
import { parseDuration } from '../domain/duration.ts';
import type { MfaPolicy } from '../domain/mfa.ts';
import { AuthServerError } from '../errors.ts';
import { type LimitRule, type LimitsConfig, parseLimitRule } from '../limits/limit-rule.ts';
import type { Brand } from '../views/brand.ts';
import type { Catalogue } from '../views/i18n.ts';
import { parseBrand } from './brand.ts';
import { parseConsoleSessions } from './console-sessions.ts';
import { loadCatalogue } from './messages.ts';
import { parseOpenRegistration } from './open-registration.ts';
import { SETTING, SETTINGS } from './settings.ts';

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
  /** Whether DPoP proofs must carry a server-issued nonce (RFC 9449 §8). */
  dpopNonce: boolean;
  /** Whether every client's authorization requests must be pushed first (RFC 9126). */
  requirePar: boolean;
  /** Whether dynamic client registration (RFC 7591/7592) is served. */
  registration: boolean;
  /**
   * The resources a client registering without an initial access token gets (open registration,
   * for MCP clients); empty: every registration needs one.
   */
  registrationOpenResources: readonly string[];
  /** Whether the admin REST API is served at /admin/v1 (PORTCULLIS_ADMIN_API). */
  adminApi: boolean;
  /** Whether the admin console is served under /admin (PORTCULLIS_ADMIN_CONSOLE; needs adminApi). */
  adminConsole: boolean;
  /** The console sessions' idle timeout and absolute lifetime. */
  consoleSessions: ConsoleSessionLimits;
  /**
   * Outgoing mail: the SMTP URL (a secret: it may carry credentials; undefined, no SMTP) and
   * the From of every mail.
   */
  mail: { smtpUrl: string | undefined; from: string };
  /** Second factors at sign-in: off, optional (users may enrol) or required. */
  mfa: MfaPolicy;
  /** The product name, logo, colour and support link of the pages. */
  brand: Brand;
  /** Self-registration: none, by operators' invitations, or also open to anyone (PORTCULLIS_SIGNUP). */
  signup: SignupMode;
  /** The pages' languages: the built-in ones and PORTCULLIS_MESSAGES_DIR's. */
  messages: Catalogue;
  /** Seconds between janitor runs inside `serve`; 0: no schedule. */
  janitorIntervalSeconds: number;
  /** Seconds a stopping server lets requests in flight finish before it cuts them. */
  shutdownGraceSeconds: number;
  /** Brute-force limits on failed client authentication, sign-ins and device user codes. */
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
    throw invalid('PORTCULLIS_DEBUG', 'PORTCULLIS_DEBUG must be 1 (on) or 0 (off)');
  }
  const port = parsePort(env.PORTCULLIS_PORT, 'PORTCULLIS_PORT');
  const host =
    parseHost(env.PORTCULLIS_HOST, 'PORTCULLIS_HOST') ?? SETTING.PORTCULLIS_HOST.value[mode];
  const issuer = parseIssuer(env.PORTCULLIS_ISSUER ?? SETTING.PORTCULLIS_ISSUER.value(port), mode);

  const cookieSource = env.PORTCULLIS_COOKIE_KEYS ?? options.devSecrets?.cookieKeys.join(',');
  const kekSource = env.PORTCULLIS_KEY_ENCRYPTION_KEY ?? options.devSecrets?.keyEncryptionKey;
  if (mode === 'production') {
    const missing = ['PORTCULLIS_COOKIE_KEYS', 'PORTCULLIS_KEY_ENCRYPTION_KEY'].filter(
      (k) => !env[k],
    );
    if (missing.length > 0) {
      throw invalid(
        missing[0],
        `${missing.join(' and ')} must be set: \`serve\` never uses development secrets`,
      );
    }
    rejectDevSecrets(env, options.devSecrets);
  }
  if (!cookieSource) throw invalid('PORTCULLIS_COOKIE_KEYS', 'PORTCULLIS_COOKIE_KEYS must be set');
  if (!kekSource) {
    throw invalid('PORTCULLIS_KEY_ENCRYPTION_KEY', 'PORTCULLIS_KEY_ENCRYPTION_KEY must be set');
  }

  const cookieKeys = cookieSource.split(',').map((k) => k.trim());
  if (cookieKeys.some((k) => k.length < 32)) {
    throw invalid(
      'PORTCULLIS_COOKIE_KEYS',
      'PORTCULLIS_COOKIE_KEYS: every key must be at least 32 characters',
    );
  }
  const keyEncryptionKey = Buffer.from(kekSource, 'base64url');
  if (keyEncryptionKey.length !== 32 || keyEncryptionKey.toString('base64url') !== kekSource) {
    throw invalid(
      'PORTCULLIS_KEY_ENCRYPTION_KEY',
      'PORTCULLIS_KEY_ENCRYPTION_KEY must be base64url of exactly 32 bytes',
    );
  }
  const registration = parseOnOff(env.PORTCULLIS_REGISTRATION, 'PORTCULLIS_REGISTRATION');
  const adminApi = parseOnOff(env.PORTCULLIS_ADMIN_API, 'PORTCULLIS_ADMIN_API');
  const adminConsole = parseOnOff(env.PORTCULLIS_ADMIN_CONSOLE, 'PORTCULLIS_ADMIN_CONSOLE');
  if (adminConsole && !adminApi) {
    // The console is a client of the admin API: without it, every page would fail.
    throw invalid(
      'PORTCULLIS_ADMIN_CONSOLE',
      'PORTCULLIS_ADMIN_CONSOLE=on needs PORTCULLIS_ADMIN_API=on: the console works through the admin API',
    );
  }
  const signup = parseSignup(env.PORTCULLIS_SIGNUP);
  if (signup === 'open' && mode === 'production' && unset(env.PORTCULLIS_SMTP_URL)) {
    // Open sign-up is nothing but mailed links: without mail it would be a form that never works.
    throw invalid(
      'PORTCULLIS_SIGNUP',
      'PORTCULLIS_SIGNUP=open needs PORTCULLIS_SMTP_URL: every sign-up is a mailed link',
    );
  }

  return {
    mode,
    issuer,
    host,
    port,
    cookieKeys,
    keyEncryptionKey,
    trustProxy: parseBoolean(env.PORTCULLIS_TRUST_PROXY, 'PORTCULLIS_TRUST_PROXY'),
    refreshReuseGraceSeconds: parseSeconds(
      env.PORTCULLIS_REFRESH_REUSE_GRACE_SECONDS,
      'PORTCULLIS_REFRESH_REUSE_GRACE_SECONDS',
      60,
    ),
    dpopNonce: parseOnOff(env.PORTCULLIS_DPOP_NONCE, 'PORTCULLIS_DPOP_NONCE'),
    requirePar: parseOnOff(env.PORTCULLIS_REQUIRE_PAR, 'PORTCULLIS_REQUIRE_PAR'),
    registration,
    registrationOpenResources: parseOpenRegistration(
      env.PORTCULLIS_REGISTRATION_OPEN_RESOURCES,
      registration,
    ),
    adminApi,
    adminConsole,
    consoleSessions: parseConsoleSessions(env),
    mail: {
      smtpUrl: parseSmtpUrl(env.PORTCULLIS_SMTP_URL),
      from: parseMailFrom(env.PORTCULLIS_MAIL_FROM, issuer),
    },
    mfa: parseMfaPolicy(env.PORTCULLIS_MFA),
    brand: parseBrand(env),
    signup,
    messages: loadCatalogue(env.PORTCULLIS_MESSAGES_DIR),
    janitorIntervalSeconds: parseInterval(env.PORTCULLIS_JANITOR_INTERVAL),
    shutdownGraceSeconds: parseShutdownGrace(env.PORTCULLIS_SHUTDOWN_GRACE),
    limits: {
      clientAuth: parseLimit(env, 'PORTCULLIS_LIMIT_CLIENT_AUTH'),
      clientAuthAddress: parseLimit(env, 'PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS'),
      signIn: parseLimit(env, 'PORTCULLIS_LIMIT_SIGNIN'),
      signInAddress: parseLimit(env, 'PORTCULLIS_LIMIT_SIGNIN_ADDRESS'),
      deviceCode: parseLimit(env, 'PORTCULLIS_LIMIT_DEVICE_CODE'),
      deviceCodeAddress: parseLimit(env, 'PORTCULLIS_LIMIT_DEVICE_CODE_ADDRESS'),
      signup: parseLimit(env, 'PORTCULLIS_LIMIT_SIGNUP'),
      signupAddress: parseLimit(env, 'PORTCULLIS_LIMIT_SIGNUP_ADDRESS'),
      registrationAddress: parseLimit(env, 'PORTCULLIS_LIMIT_REGISTRATION_ADDRESS'),
    },
    metricsPort:
      env.PORTCULLIS_METRICS_PORT === 'off'
        ? undefined
        : parseOptionalPort(env.PORTCULLIS_METRICS_PORT, 'PORTCULLIS_METRICS_PORT'),
    metricsHost: parseMetricsHost(env.PORTCULLIS_METRICS_HOST),
    ...parseLogFormat(env.PORTCULLIS_LOG_FORMAT),
  };
}

/**
 * The part of the configuration `portcullis users invite` needs, read like the servers read it:
 * the issuer (the link's origin), PORTCULLIS_SIGNUP and the mail settings.
 *
 * @example
 * const { issuer, signup, mail } = loadInviteConfig(process.env);
 */
export function loadInviteConfig(
  env: NodeJS.ProcessEnv,
): Pick<ServerConfig, 'issuer' | 'signup' | 'mail' | 'messages'> {
  const port = parsePort(env.PORTCULLIS_PORT, 'PORTCULLIS_PORT');
  const issuer = parseIssuer(
    env.PORTCULLIS_ISSUER ?? SETTING.PORTCULLIS_ISSUER.value(port),
    'production',
  );
  return {
    issuer,
    signup: parseSignup(env.PORTCULLIS_SIGNUP),
    mail: {
      smtpUrl: parseSmtpUrl(env.PORTCULLIS_SMTP_URL),
      from: parseMailFrom(env.PORTCULLIS_MAIL_FROM, issuer),
    },
    messages: loadCatalogue(env.PORTCULLIS_MESSAGES_DIR),
  };
}

/** How accounts come to be besides `users create`: see PORTCULLIS_SIGNUP. */
export type SignupMode = 'off' | 'invite' | 'open';

/** PORTCULLIS_SIGNUP: off (the default), invite or open. */
function parseSignup(value: string | undefined): SignupMode {
  if (unset(value)) return 'off';
  if (value === 'off' || value === 'invite' || value === 'open') return value;
  throw invalid(
    'PORTCULLIS_SIGNUP',
    `PORTCULLIS_SIGNUP must be off, invite or open, got "${value}"`,
  );
}

function parseLogFormat(value: string | undefined): Pick<ServerConfig, 'logFormat'> {
  if (value === undefined || value === '') return {};
  if (value === 'json' || value === 'pretty') return { logFormat: value };
  throw invalid(
    'PORTCULLIS_LOG_FORMAT',
    `PORTCULLIS_LOG_FORMAT must be json or pretty, got "${value}"`,
  );
}

// Configuration messages name their variable themselves: operators set exactly that name.
function invalid(setting: string | undefined, message: string): AuthServerError {
  return new AuthServerError('config_invalid', message, setting ? { setting } : {});
}

const unset = (value: string | undefined): value is undefined | '' =>
  value === undefined || value === '';

/**
 * Refuses a `PORTCULLIS_*` variable that no setting has: a typo or a leftover, which would
 * otherwise leave the setting that was meant on its default. The error names the closest setting.
 *
 * @example
 * rejectUnknownSettings(process.env); // a misspelt setting: config_invalid, naming the closest
 */
export function rejectUnknownSettings(env: NodeJS.ProcessEnv): void {
  const known = SETTINGS.map((s) => s.env).filter((name) => name.startsWith('PORTCULLIS_'));
  const unknown = Object.keys(env)
    .filter((name) => name.startsWith('PORTCULLIS_') && !known.includes(name))
    .sort();
  if (unknown.length === 0) return;
  const named = unknown.map((name) => `${name} (did you mean ${closest(name, known)}?)`);
  throw invalid(
    unknown[0],
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
      reused[0],
      `${reused.join(' and ')} ${reused.length === 1 ? 'is' : 'are'} the development secret of the data folder (dev-secrets.json): \`serve\` never uses development secrets`,
    );
  }
}

/**
 * Parses an address to listen on, the variable `name`: an IP address or a DNS name; undefined
 * when unset, for the caller's default.
 *
 * @example
 * parseHost(env.PORTCULLIS_API_HOST, 'PORTCULLIS_API_HOST') ?? SETTING.PORTCULLIS_API_HOST.value;
 */
export function parseHost(value: string | undefined, name: string): string | undefined {
  if (unset(value)) return undefined;
  const hostName =
    /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
  if (isIP(value) === 0 && !hostName.test(value)) {
    throw invalid(name, `${name} must be an IP address or a host name, got "${value}"`);
  }
  return value;
}

// An address to bind the metrics listener to: IPv4, IPv6 or a host name.
function parseMetricsHost(value: string | undefined): string {
  if (unset(value)) return SETTING.PORTCULLIS_METRICS_HOST.value;
  if (!/^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$/.test(value)) {
    throw invalid(
      'PORTCULLIS_METRICS_HOST',
      `PORTCULLIS_METRICS_HOST must be an IP address or a host name, got "${value}"`,
    );
  }
  return value;
}

// A port, or undefined when unset.
function parseOptionalPort(value: string | undefined, name: string): number | undefined {
  return unset(value) ? undefined : parsePort(value, name);
}

// The schema's default of the setting `name`, for the parsers that take a setting's name.
function defaultOf<T>(name: string, type: 'number' | 'string'): T {
  const value = (SETTING as Record<string, { value?: unknown }>)[name]?.value;
  if (typeof value !== type) throw new TypeError(`${name} has no ${type} default in SETTING`);
  return value as T;
}

/**
 * Parses a TCP port variable; unset, `fallback`, which is the setting's default in the schema
 * unless given.
 *
 * @example
 * parsePort(env.PORTCULLIS_API_PORT, 'PORTCULLIS_API_PORT'); // 4000 when unset
 */
export function parsePort(value: string | undefined, name: string, fallback?: number): number {
  if (unset(value)) return fallback ?? defaultOf<number>(name, 'number');
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw invalid(name, `${name} must be a port number from 0 to 65535, got "${value}"`);
  }
  return port;
}

function parseSeconds(value: string | undefined, name: string, max: number): number {
  if (unset(value)) return defaultOf<number>(name, 'number');
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds > max) {
    throw invalid(
      name,
      `${name} must be a whole number of seconds from 0 to ${max}, got "${value}"`,
    );
  }
  return seconds;
}

// An smtp:// or smtps:// URL with a host. The value may carry a password: messages never echo it.
function parseSmtpUrl(value: string | undefined): string | undefined {
  if (unset(value)) return undefined;
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || url.hostname === '') {
    throw invalid(
      'PORTCULLIS_SMTP_URL',
      'PORTCULLIS_SMTP_URL must be smtp://[user:password@]host[:port] or smtps://... (the value is not shown: it may hold a password)',
    );
  }
  if ((url.pathname !== '' && url.pathname !== '/') || url.hash) {
    throw invalid(
      'PORTCULLIS_SMTP_URL',
      'PORTCULLIS_SMTP_URL must not have a path or a fragment (the value is not shown: it may hold a password)',
    );
  }
  return value;
}

// An address (`local@domain`) or a display name and an address (`Name <local@domain>`), on one
// line; unset, Portcullis at no-reply@ the issuer's host.
const MAIL_ADDRESS = '[^\\s<>@",;]+@[^\\s<>@",;]+';
const MAIL_FROM = new RegExp(`^(?:${MAIL_ADDRESS}|[^<>"\\r\\n]{1,100} <${MAIL_ADDRESS}>)$`);

function parseMailFrom(value: string | undefined, issuer: string): string {
  if (unset(value)) return `Portcullis <no-reply@${new URL(issuer).hostname}>`;
  if (value.length > 320 || !MAIL_FROM.test(value)) {
    throw invalid(
      'PORTCULLIS_MAIL_FROM',
      `PORTCULLIS_MAIL_FROM must be an address (no-reply@example.com) or a name and an address (Example <no-reply@example.com>), got "${value.slice(0, 320)}"`,
    );
  }
  return value;
}

// The janitor's interval: a duration from 1 minute to 1 day, or 0/off for none.
function parseInterval(value: string | undefined): number {
  if (unset(value)) return SETTING.PORTCULLIS_JANITOR_INTERVAL.value;
  if (value === '0' || value === 'off') return 0;
  const seconds = parseDuration(value);
  if (seconds === undefined || seconds < 60 || seconds > 86_400) {
    throw invalid(
      'PORTCULLIS_JANITOR_INTERVAL',
      `PORTCULLIS_JANITOR_INTERVAL must be a duration from 1m to 1d (like 1h), or off, got "${value}"`,
    );
  }
  return seconds;
}

type LimitSetting =
  | 'PORTCULLIS_LIMIT_CLIENT_AUTH'
  | 'PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS'
  | 'PORTCULLIS_LIMIT_SIGNIN'
  | 'PORTCULLIS_LIMIT_SIGNIN_ADDRESS'
  | 'PORTCULLIS_LIMIT_DEVICE_CODE'
  | 'PORTCULLIS_LIMIT_DEVICE_CODE_ADDRESS'
  | 'PORTCULLIS_LIMIT_SIGNUP'
  | 'PORTCULLIS_LIMIT_SIGNUP_ADDRESS'
  | 'PORTCULLIS_LIMIT_REGISTRATION_ADDRESS';

// A brute-force limit: failures/window, or off; unset, the setting's default.
function parseLimit(env: NodeJS.ProcessEnv, name: LimitSetting): LimitRule | null {
  const value = env[name];
  // A copy: the schema's default is shared by every configuration loaded.
  if (unset(value)) return { ...SETTING[name].value };
  const rule = parseLimitRule(value);
  if (rule === undefined) {
    throw invalid(
      name,
      `${name} must be failures/window (like 10/1m: 1 to 100000 failures, a window from 1s to 1d) or off, got "${value}"`,
    );
  }
  return rule;
}

// How long a stopping server waits for requests in flight: 0s to 10m.
function parseShutdownGrace(value: string | undefined): number {
  if (unset(value)) return SETTING.PORTCULLIS_SHUTDOWN_GRACE.value;
  const seconds = parseDuration(value);
  if (seconds === undefined || seconds > 600) {
    throw invalid(
      'PORTCULLIS_SHUTDOWN_GRACE',
      `PORTCULLIS_SHUTDOWN_GRACE must be a duration from 0s to 10m (like 10s), got "${value}"`,
    );
  }
  return seconds;
}

function parseBoolean(value: string | undefined, name: 'PORTCULLIS_TRUST_PROXY'): boolean {
  if (unset(value)) return SETTING[name].value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalid(name, `${name} must be true or false`);
}

function parseOnOff(
  value: string | undefined,
  name:
    | 'PORTCULLIS_DPOP_NONCE'
    | 'PORTCULLIS_REQUIRE_PAR'
    | 'PORTCULLIS_REGISTRATION'
    | 'PORTCULLIS_ADMIN_API'
    | 'PORTCULLIS_ADMIN_CONSOLE',
): boolean {
  if (unset(value)) return SETTING[name].value;
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw invalid(name, `${name} must be on or off`);
}

function parseMfaPolicy(value: string | undefined): MfaPolicy {
  if (unset(value)) return SETTING.PORTCULLIS_MFA.value;
  if (value === 'off' || value === 'optional' || value === 'required') return value;
  throw invalid('PORTCULLIS_MFA', 'PORTCULLIS_MFA must be off, optional or required');
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function parseIssuer(value: string, mode: ServerConfig['mode']): string {
  const issuerInvalid = (message: string) => invalid('PORTCULLIS_ISSUER', message);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw issuerInvalid(`PORTCULLIS_ISSUER must be an absolute URL, got "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw issuerInvalid('PORTCULLIS_ISSUER must use https (or http on loopback)');
  }
  if (url.search || url.hash || url.username || url.password) {
    throw issuerInvalid('PORTCULLIS_ISSUER must not have a query, fragment or credentials');
  }
  if (mode === 'production' && url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    throw issuerInvalid('PORTCULLIS_ISSUER must use https in production (http only on loopback)');
  }
  // oidc-provider compares issuers as strings: drop a lone trailing slash so both spellings work.
  return value.endsWith('/') && url.pathname === '/' ? value.slice(0, -1) : value;
}
