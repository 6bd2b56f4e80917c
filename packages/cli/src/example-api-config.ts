import { readFileSync } from 'node:fs';
import {
  parseDuration,
  parseHost,
  parsePort,
  rejectUnknownSettings,
  SETTING,
} from '@portcullis/auth-server/config';
import type { ExampleApiDpop, ExampleApiOptions } from '@portcullis/example-api';
import { CliError } from './errors.ts';

/** What `example-api` runs with, read from the environment by {@link readExampleApiConfig}. */
interface ExampleApiConfig {
  issuer: string;
  resource: string;
  /** Undefined: discovered from the issuer's metadata. */
  jwksUri: string | undefined;
  /** Undefined: JWTs only. */
  introspection: IntrospectionOptions | undefined;
  /** Whether it takes DPoP-bound tokens. */
  dpop: ExampleApiDpop;
  /** Undefined: the revocation feed is not followed. */
  revocationFeed: RevocationFeedSetting | undefined;
  host: string;
  port: number;
}

type IntrospectionOptions = NonNullable<ExampleApiOptions['introspection']>;

/** How the example API follows the revocation feed (as its introspection client). */
export interface RevocationFeedSetting {
  graceSeconds: number;
  /** Undefined: the `revocation_feed_endpoint` of the issuer's discovery document. */
  endpoint?: string;
}

// The resource server's ceiling for `introspection.maxCacheSeconds`.
const MAX_CACHE_SECONDS = 3600;

const CLIENT_ID = 'PORTCULLIS_API_INTROSPECTION_CLIENT_ID';
const SECRET = 'PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET';
const SECRET_FILE = 'PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET_FILE';
const ENDPOINT = 'PORTCULLIS_API_INTROSPECTION_ENDPOINT';
const CACHE = 'PORTCULLIS_API_INTROSPECTION_CACHE';

// An empty variable counts as unset, as everywhere in the configuration.
const given = (value: string | undefined): value is string => value !== undefined && value !== '';

const hasControlCharacter = (value: string) =>
  [...value].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);

/**
 * Reads the settings of `portcullis example-api` run alone. Like `serve`, it refuses a
 * `PORTCULLIS_*` variable that is no setting and a bad value, naming the variable; nothing falls
 * back silently.
 *
 * @example
 * readExampleApiConfig({ PORTCULLIS_API_PORT: '4100' }).resource; // 'http://localhost:4100'
 */
export function readExampleApiConfig(env: NodeJS.ProcessEnv): ExampleApiConfig {
  rejectUnknownSettings(env);
  const port = parsePort(env.PORTCULLIS_API_PORT, 'PORTCULLIS_API_PORT');
  const issuer =
    env.PORTCULLIS_ISSUER ||
    SETTING.PORTCULLIS_ISSUER.value(parsePort(env.PORTCULLIS_PORT, 'PORTCULLIS_PORT'));
  const resource = env.PORTCULLIS_API_RESOURCE || SETTING.PORTCULLIS_API_RESOURCE.value(port);
  const jwksUri = env.PORTCULLIS_API_JWKS_URI || undefined;
  return {
    // The server drops a lone trailing slash from its issuer, and tokens carry it so.
    issuer: issuerUrl(issuer).replace(/^([^/]+\/\/[^/]+)\/$/, '$1'),
    resource: absoluteUrl(resource, 'PORTCULLIS_API_RESOURCE'),
    jwksUri: jwksUri === undefined ? undefined : httpUrl(jwksUri, 'PORTCULLIS_API_JWKS_URI'),
    introspection: readIntrospection(env),
    dpop: readApiDpop(env),
    revocationFeed: readRevocationFeed(env, given(env[CLIENT_ID])),
    host:
      parseHost(env.PORTCULLIS_API_HOST, 'PORTCULLIS_API_HOST') ??
      SETTING.PORTCULLIS_API_HOST.value,
    port,
  };
}

/**
 * PORTCULLIS_API_INTROSPECTION_CACHE in seconds (`dev` and `example-api`): how long the example
 * API reuses an answer that an opaque token is active. A bad value is refused, naming it.
 *
 * @example
 * readIntrospectionCache({ PORTCULLIS_API_INTROSPECTION_CACHE: '5s' }); // 5
 * readIntrospectionCache({}); // 60
 */
export function readIntrospectionCache(env: NodeJS.ProcessEnv): number {
  const value = env[CACHE];
  if (!given(value)) return SETTING.PORTCULLIS_API_INTROSPECTION_CACHE.value;
  const seconds = parseDuration(value);
  if (seconds === undefined || seconds > MAX_CACHE_SECONDS) {
    throw new CliError(`${CACHE} must be a duration from 0s to 1h (like 60s), got "${value}"`);
  }
  return seconds;
}

const FEED = 'PORTCULLIS_API_REVOCATION_FEED';
const FEED_GRACE = 'PORTCULLIS_API_REVOCATION_FEED_GRACE';
const FEED_ENDPOINT = 'PORTCULLIS_API_REVOCATION_FEED_ENDPOINT';
// Where the authorization server serves the feed, below its origin.
const FEED_PATH = '/revocations';

/**
 * PORTCULLIS_API_REVOCATION_FEED, its grace and its endpoint (`dev` and `example-api`): whether
 * the example API follows the revocation feed, which it does as its introspection client (`dev`
 * always has one: `hasClient` true). Unset: on with a client, off without; on without a client,
 * or a bad value, is refused, naming it. The endpoint: PORTCULLIS_API_REVOCATION_FEED_ENDPOINT;
 * else, when PORTCULLIS_API_INTROSPECTION_ENDPOINT names the server by another name than the
 * issuer's, `/revocations` on that origin (the API reaches the server there); else discovered.
 *
 * @example
 * readRevocationFeed({}, true); // { graceSeconds: 60 }
 * readRevocationFeed({ PORTCULLIS_API_REVOCATION_FEED: 'off' }, true); // undefined
 */
export function readRevocationFeed(
  env: NodeJS.ProcessEnv,
  hasClient: boolean,
): RevocationFeedSetting | undefined {
  const value = env[FEED];
  if (given(value) && value !== 'on' && value !== 'off') {
    throw new CliError(`${FEED} must be on or off, got "${value}"`);
  }
  const grace = env[FEED_GRACE];
  let graceSeconds = SETTING.PORTCULLIS_API_REVOCATION_FEED_GRACE.value;
  if (given(grace)) {
    const seconds = parseDuration(grace);
    if (seconds === undefined || seconds > MAX_CACHE_SECONDS) {
      throw new CliError(
        `${FEED_GRACE} must be a duration from 0s to 1h (like 60s), got "${grace}"`,
      );
    }
    graceSeconds = seconds;
  }
  const explicit = env[FEED_ENDPOINT];
  const endpoint = given(explicit)
    ? httpUrl(explicit, FEED_ENDPOINT)
    : given(env[ENDPOINT])
      ? new URL(FEED_PATH, httpUrl(env[ENDPOINT] as string, ENDPOINT)).href
      : undefined;
  if (value === 'off') return undefined;
  if (!hasClient) {
    if (value === 'on') {
      throw new CliError(`${FEED}=on needs ${CLIENT_ID}: the API follows the feed as that client`);
    }
    return undefined;
  }
  return { graceSeconds, ...(endpoint === undefined ? {} : { endpoint }) };
}

const DPOP = 'PORTCULLIS_API_DPOP';
const DPOP_MODES: readonly ExampleApiDpop[] = ['off', 'allowed', 'required'];

/**
 * PORTCULLIS_API_DPOP (`dev` and `example-api`): whether the example API takes DPoP-bound
 * tokens. Anything but off, allowed or required is refused, naming it.
 *
 * @example
 * readApiDpop({ PORTCULLIS_API_DPOP: 'required' }); // 'required'
 * readApiDpop({}); // 'off'
 */
export function readApiDpop(env: NodeJS.ProcessEnv): ExampleApiDpop {
  const value = env[DPOP];
  if (!given(value)) return SETTING.PORTCULLIS_API_DPOP.value as ExampleApiDpop;
  if (!(DPOP_MODES as readonly string[]).includes(value)) {
    throw new CliError(`${DPOP} must be off, allowed or required, got "${value}"`);
  }
  return value as ExampleApiDpop;
}

// Undefined without a client id (JWTs only); then the other introspection settings would have no
// effect, so they are refused rather than ignored.
function readIntrospection(env: NodeJS.ProcessEnv): IntrospectionOptions | undefined {
  const maxCacheSeconds = readIntrospectionCache(env);
  const clientId = env[CLIENT_ID];
  if (!given(clientId)) {
    const orphan = [SECRET, SECRET_FILE, ENDPOINT, CACHE].find((name) => given(env[name]));
    if (orphan) {
      throw new CliError(
        `${orphan} is set but ${CLIENT_ID} is not: set both, or neither for an API that accepts JWTs only`,
      );
    }
    return undefined;
  }
  if (hasControlCharacter(clientId)) throw new CliError(`${CLIENT_ID} has a control character`);
  const endpoint = env[ENDPOINT];
  return {
    clientId,
    clientSecret: readSecret(env),
    ...(given(endpoint) ? { endpoint: httpUrl(endpoint, ENDPOINT) } : {}),
    maxCacheSeconds,
  };
}

// The secret, from the variable or the file; messages never show it.
function readSecret(env: NodeJS.ProcessEnv): string {
  const [inline, file] = [env[SECRET], env[SECRET_FILE]];
  if (given(inline) && given(file)) throw new CliError(`set ${SECRET} or ${SECRET_FILE}, not both`);
  if (!given(inline) && !given(file)) {
    throw new CliError(`${CLIENT_ID} needs its secret: set ${SECRET} or ${SECRET_FILE}`);
  }
  const secret = given(inline) ? inline : readSecretFile(file as string);
  if (hasControlCharacter(secret)) {
    throw new CliError(
      `${given(inline) ? SECRET : SECRET_FILE}: the secret has a control character (a stray line break?)`,
    );
  }
  return secret;
}

function readSecretFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CliError(`${SECRET_FILE}: cannot read "${file}" (${code})`);
  }
  // Files written by editors and `echo` end with a line break; the secret does not.
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new CliError(`${SECRET_FILE}: "${file}" is empty`);
  return secret;
}

// A resource identifier (RFC 8707): an absolute URI without a fragment.
function absoluteUrl(value: string, name: string): string {
  if (!URL.canParse(value) || new URL(value).hash !== '' || value.includes('#')) {
    throw new CliError(`${name} must be an absolute URL without a fragment, got "${value}"`);
  }
  return value;
}

// An http(s) URL: where the JWKS or the introspection endpoint is.
function httpUrl(value: string, name: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new CliError(`${name} must be an http or https URL, got "${value}"`);
  }
  return value;
}

// An issuer identifier (RFC 8414 §2): an http(s) URL without query, fragment or credentials.
function issuerUrl(value: string): string {
  const url = new URL(httpUrl(value, 'PORTCULLIS_ISSUER'));
  if (url.search || value.includes('#') || url.username || url.password) {
    throw new CliError('PORTCULLIS_ISSUER must not have a query, fragment or credentials');
  }
  return value;
}
