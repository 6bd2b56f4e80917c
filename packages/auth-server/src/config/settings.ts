import { parseDuration } from '../domain/duration.ts';
import { type LimitRule, parseLimitRule } from '../limits/limit-rule.ts';
import { DEFAULT_BRAND } from '../views/brand.ts';

/**
 * What reads a setting: `serve`, `dev`, `example-api` (the example API run alone), every command
 * (`cli`), or the test runner (`tests`).
 */
export type SettingUse = 'serve' | 'dev' | 'example-api' | 'cli' | 'tests';

/** One environment variable of the configuration, as docs/configuration.md shows it. */
export interface Setting {
  env: string;
  description: string;
  /** The default as the reference shows it: the typed default written out, or what unset means. */
  default: string;
  /** What reads it; unset: `serve` and `dev`. */
  usedBy?: readonly SettingUse[];
}

// A default written once: the text the reference shows and the value the code uses.
const plain = <T extends string | number | boolean>(value: T) => ({
  value,
  default: String(value),
});

const duration = (text: string) => ({ value: parseDuration(text) as number, default: text });

const limit = (text: string) => ({ value: parseLimitRule(text) as LimitRule, default: text });

const LOOPBACK_HOST = '127.0.0.1';
const ALL_INTERFACES = '0.0.0.0';
const SERVER_HOSTS = { development: LOOPBACK_HOST, production: ALL_INTERFACES } as const;

type Entry = Omit<Setting, 'env'> & { value?: unknown };

// Each entry gets its variable's name as `env`, so the name is written once too.
function schema<const T extends Record<string, Entry>>(
  entries: T,
): { [K in keyof T]: T[K] & { env: K } } {
  return Object.fromEntries(
    Object.entries(entries).map(([env, entry]) => [env, { env, ...entry }]),
  ) as { [K in keyof T]: T[K] & { env: K } };
}

/**
 * The configuration schema, by variable: each setting's description and its default, the only
 * place a default is written. The loader (`loadServerConfig`), the CLI and the doctor take
 * defaults from here (`SETTING.PORTCULLIS_PORT.value`), and docs/configuration.md is generated
 * from it (`pnpm docs:config`).
 *
 * @example
 * const port = Number(env.PORTCULLIS_PORT || SETTING.PORTCULLIS_PORT.value); // 3000 when unset
 */
export const SETTING = schema({
  DATABASE_URL: {
    description: 'PostgreSQL to use (13 or newer)',
    default: 'unset: the embedded PostgreSQL in the data folder',
    usedBy: ['cli', 'tests'],
  },
  PORTCULLIS_PORT: {
    description: 'authorization server port',
    ...plain(3000),
  },
  PORTCULLIS_HOST: {
    description: 'address to listen on',
    value: SERVER_HOSTS,
    default: `${SERVER_HOSTS.development} in dev, ${SERVER_HOSTS.production} in serve`,
  },
  PORTCULLIS_ISSUER: {
    description:
      "issuer URL; https required in production except on loopback. `example-api` accepts tokens of this issuer only. Its host name is the passkeys' relying party (WebAuthn rpID) and its origin the only one they are accepted from: browsers refuse passkeys on an IP address, and a new host name makes the passkeys users added useless",
    /** The issuer of a server on `port`. */
    value: (port: number | string) => `http://localhost:${port}`,
    default: 'http://localhost:$PORTCULLIS_PORT',
    usedBy: ['serve', 'dev', 'example-api', 'cli'],
  },
  PORTCULLIS_COOKIE_KEYS: {
    description:
      'comma-separated cookie signing keys, each at least 32 characters; the first signs',
    default: 'required in serve; generated into the data folder in dev',
  },
  PORTCULLIS_KEY_ENCRYPTION_KEY: {
    description: 'base64url of 32 random bytes; encrypts signing keys at rest',
    default: 'required in serve; generated into the data folder in dev',
  },
  PORTCULLIS_REFRESH_REUSE_GRACE_SECONDS: {
    description:
      'seconds after a refresh token was rotated during which reusing it is refused without revoking the grant (concurrent refreshes); later reuse revokes the grant. 0 to 60',
    ...plain(10),
  },
  PORTCULLIS_DPOP_NONCE: {
    description:
      'on: every DPoP proof (RFC 9449) must carry a nonce the server issued (a first request without one gets use_dpop_nonce and a DPoP-Nonce header to retry with), so a proof made in advance is useless; off: proofs need no nonce. Nonces are derived from PORTCULLIS_KEY_ENCRYPTION_KEY and change every minute, so every replica accepts nonces issued by the others',
    value: false,
    default: 'off',
  },
  PORTCULLIS_REQUIRE_PAR: {
    description:
      'on: every client must push its authorization requests to /request first (PAR, RFC 9126) and send only the request_uri it gets through the browser, as if each were registered with `clients create --require-par`; a plain authorization request is refused (invalid_request) and discovery says require_pushed_authorization_requests. off: only the clients registered with --require-par must; the others may push or not',
    value: false,
    default: 'off',
  },
  PORTCULLIS_REGISTRATION: {
    description:
      "on: dynamic client registration (RFC 7591) at /reg, advertised in discovery as registration_endpoint, and each registered client manages itself at /reg/<client_id> with its registration access token (RFC 7592). Every registration needs an initial access token an operator created (`portcullis clients registration-token create`), is validated like `clients create` within the token's scopes and resources, and makes a third-party client (consent always asked) with only the authorization_code and refresh_token grants. Wrong tokens count as failed client authentication (PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS). off: those paths answer 404",
    value: false,
    default: 'off',
  },
  PORTCULLIS_ADMIN_API: {
    description:
      "on: the admin REST API at /admin/v1 on the issuer's port (docs/admin-api.md), its OpenAPI document at /admin/v1/openapi.json. It accepts only access tokens of this server for the resource urn:portcullis:admin with the scopes admin:read, admin:write, admin:keys or admin:users (`portcullis admin create-client` registers such a client), and answers with the same services, validation and audit events as the CLI. off: /admin/v1 answers 404",
    value: false,
    default: 'off',
  },
  PORTCULLIS_ADMIN_CONSOLE: {
    description:
      'on: the admin console, web pages for operators under /admin on the issuer\'s port (docs/operators.md, "Console"), built on the admin API (needs PORTCULLIS_ADMIN_API=on). Operators sign in through this server (authorization code with PKCE, a second factor unless PORTCULLIS_MFA=off) and need a role holding admin scopes: at start the server registers the console\'s client, makes every admin scope role-gated and creates the role portcullis-admin (`portcullis users add-role NAME portcullis-admin`). off: /admin answers 404',
    value: false,
    default: 'off',
  },
  PORTCULLIS_CONSOLE_IDLE_TIMEOUT: {
    description:
      'a console session (PORTCULLIS_ADMIN_CONSOLE) ends after this long without a request (like 30m; 1s to 1d, not longer than PORTCULLIS_CONSOLE_MAX_SESSION); the next page then signs the operator in again, and a form sent after it says so instead of losing what was typed silently',
    ...duration('30m'),
  },
  PORTCULLIS_CONSOLE_MAX_SESSION: {
    description:
      "a console session ends this long after signing in, used or not (like 10h; 1s to 1d). Meanwhile the console renews the operator's admin access token with its rotating refresh token shortly before it expires; the refresh tokens it gets live no longer than this (at least a minute)",
    ...duration('10h'),
  },
  PORTCULLIS_REGISTRATION_OPEN_RESOURCES: {
    description:
      'open dynamic registration, for MCP clients and other apps that register themselves with no initial access token (the MCP authorization profile): the identifiers of the API resources such a client may get, separated by spaces (each registered with `resources create`). A registration without Authorization then makes a third-party client (consent always asked) with these resources, any scope they define, the authorization_code and refresh_token grants only, and its client_name followed by a random suffix; limited per address by PORTCULLIS_LIMIT_REGISTRATION_ADDRESS, audited with the actor anonymous. Needs PORTCULLIS_REGISTRATION=on. Unset: every registration needs an initial access token',
    default: 'unset: no open registration',
  },
  PORTCULLIS_SMTP_URL: {
    description:
      'the SMTP server that sends password-reset and e-mail-verification links: smtp://[user:password@]host[:port] (STARTTLS when the server offers it) or smtps://... (TLS from the start). The credentials in it are secrets: never logged nor shown. Unset in `serve`: mail is off (no "Forgot your password?" link, no verification links); unset in `dev`: mail is printed to the terminal and kept for the /dev/mail page',
    default: 'unset: mail off in `serve`, printed and kept in `dev`',
    usedBy: ['serve', 'dev', 'cli'],
  },
  PORTCULLIS_MAIL_FROM: {
    description:
      'the From of the mail the server sends: an address (`no-reply@example.com`) or a name and an address (`Example Sign-in <no-reply@example.com>`)',
    default: 'Portcullis <no-reply@the issuer host>',
    usedBy: ['serve', 'dev', 'cli'],
  },
  PORTCULLIS_SIGNUP: {
    description:
      'self-registration: off, invite or open. off: accounts are made by operators only, and the sign-up paths answer 404. invite: `portcullis users invite EMAIL` mails a single-use link to a page where the invited person chooses a username and a password (the address is verified by the link). open: also a "Create an account" link on the login pages to /account/signup, where anyone asks for such a link for their own address (limited by PORTCULLIS_LIMIT_SIGNUP and PORTCULLIS_LIMIT_SIGNUP_ADDRESS; an address that has an account gets a mail saying so, and the page is the same). Either way the account exists only once the link is followed, so an unverified address never signs in. Needs mail (PORTCULLIS_SMTP_URL; `dev` prints it)',
    default: 'off',
    usedBy: ['serve', 'dev', 'cli'],
  },
  PORTCULLIS_MFA: {
    description:
      'second factors at sign-in (authenticator-app codes, RFC 6238, and passkeys, which also sign in without a password). optional: users may set one up on /account, and those who did enter a code after their password at every sign-in; clients registered with `--require-mfa`, and requests with acr_values=urn:portcullis:acr:mfa, make users without one set one up first. required: every user without a second factor sets one up at their next sign-in before going on. off: no second step, no setup and no passkeys (factors already set up are kept, unused)',
    value: 'optional' as 'off' | 'optional' | 'required',
    default: 'optional',
  },
  PORTCULLIS_BRAND_NAME: {
    description:
      "the product name every page shows in its header and title (and the home page's heading), 1 to 60 characters",
    ...plain(DEFAULT_BRAND.name),
  },
  PORTCULLIS_BRAND_LOGO: {
    description:
      'a logo file (PNG, JPEG, WebP, GIF or SVG, recognised by its content; up to 256 KiB) read at start and served by the server itself at /assets/brand-logo, shown before the product name in every page header; nothing is loaded from elsewhere, so the pages keep their strict Content-Security-Policy. An SVG is served with a policy that runs no script',
    default: 'unset: no logo',
  },
  PORTCULLIS_BRAND_COLOR: {
    description:
      "the primary colour of buttons, links and the focus ring, as #rrggbb; white text on it must have a contrast of at least 4.5:1 (WCAG 2.2 AA), otherwise the server refuses to start, naming the colour's ratio",
    default: 'unset: #1d4ed8',
  },
  PORTCULLIS_MESSAGES_DIR: {
    description:
      "a folder of messages files that override or add to the pages' languages: `<language>.json` (a primary language tag: de.json, fr.json, en.json), each an object of message keys to text, the keys and `{placeholders}` of English (packages/auth-server/src/views/messages/en.ts). A file for a new language may hold some messages only: English fills in the rest. Each page is in the language of the browser's Accept-Language that the server has (q-values honoured), else English. Read at start: a file that is not JSON, an unknown key or a text that drops or adds a placeholder stops the server with one line",
    default: 'unset: English and French as shipped',
  },
  PORTCULLIS_SUPPORT_URL: {
    description:
      'where the "Help and support" link in every page footer leads: an https URL or a mailto: address (http only on loopback)',
    default: 'unset: no support link',
  },
  PORTCULLIS_JANITOR_INTERVAL: {
    description:
      'how often `serve` purges expired and long-consumed tokens, codes and sessions (like 1h or 30m); one replica at a time purges (PostgreSQL advisory lock). 0 or off: never (run `portcullis tokens purge` from cron instead)',
    ...duration('1h'),
    usedBy: ['serve'],
  },
  PORTCULLIS_SHUTDOWN_GRACE: {
    description:
      'on SIGTERM or SIGINT the server stops accepting connections at once and lets the requests in flight finish for up to this long (like 10s or 1m, 0s to 10m), then cuts the rest, closes the database pool and exits 0',
    ...duration('10s'),
  },
  PORTCULLIS_TRUST_PROXY: {
    description:
      'trust X-Forwarded-* headers from one proxy in front (true or false); the client address (rate limits, audit) is then the last X-Forwarded-For entry, the one the proxy added',
    ...plain(false),
  },
  PORTCULLIS_LIMIT_CLIENT_AUTH: {
    description:
      'failed client authentications allowed per client id on /token, introspection, revocation, device authorization and PAR, as failures/window (like 10/1m; window 1s to 1d); past it, failed attempts get 429 with Retry-After until a whole window passes, and a correct secret still works. off: no limit',
    ...limit('10/1m'),
  },
  PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS: {
    description:
      'failed client authentications allowed per client address (X-Forwarded-For only with PORTCULLIS_TRUST_PROXY), as failures/window; same rules as PORTCULLIS_LIMIT_CLIENT_AUTH',
    ...limit('30/1m'),
  },
  PORTCULLIS_LIMIT_SIGNIN: {
    description:
      'failed sign-ins allowed per username (any case) as failures/window (like 10/15m); one more locks the username for a whole window, and while locked every sign-in gets the wrong-password answer. A successful sign-in resets it. off: no limit',
    ...limit('10/15m'),
  },
  PORTCULLIS_LIMIT_SIGNIN_ADDRESS: {
    description:
      'failed sign-ins allowed per browser address, any usernames, as failures/window; one more locks sign-in from that address for a whole window, like PORTCULLIS_LIMIT_SIGNIN',
    ...limit('100/15m'),
  },
  PORTCULLIS_LIMIT_DEVICE_CODE: {
    description:
      'wrong device-flow user codes allowed on the /device page from all addresses together, as failures/window (like 1000/10m); one more refuses every code entry, the right one included, with a 429 page and Retry-After until a whole window passes. A wrong code matches no device authorization, so this is what bounds the guesses any one of them faces in its 10 minutes. off: no limit',
    ...limit('1000/10m'),
  },
  PORTCULLIS_LIMIT_DEVICE_CODE_ADDRESS: {
    description:
      'wrong device-flow user codes allowed per browser address, as failures/window; one more refuses code entry from that address like PORTCULLIS_LIMIT_DEVICE_CODE',
    ...limit('10/15m'),
  },
  PORTCULLIS_LIMIT_SIGNUP: {
    description:
      "open sign-up requests (PORTCULLIS_SIGNUP=open) per e-mail address typed, in any case, as requests/window (like 3/1h): every request counts, as each may send a mail; one more gets a 429 page with Retry-After and sends nothing until a whole window passes. Counted the same whether or not the address is an account's. off: no limit",
    ...limit('3/1h'),
  },
  PORTCULLIS_LIMIT_REGISTRATION_ADDRESS: {
    description:
      'dynamic registrations without an initial access token (PORTCULLIS_REGISTRATION_OPEN_RESOURCES) per address, as requests/window: every attempt counts, as each may write a client; one more gets 429 with Retry-After and registers nothing until a whole window passes. off: no limit',
    ...limit('10/1h'),
  },
  PORTCULLIS_LIMIT_SIGNUP_ADDRESS: {
    description:
      'open sign-up requests per browser address, any e-mail addresses, as requests/window; past it, the same 429 page as PORTCULLIS_LIMIT_SIGNUP',
    ...limit('20/1h'),
  },
  PORTCULLIS_METRICS_PORT: {
    description:
      "port of a separate listener serving Prometheus metrics at GET /metrics (0: any free port); off: no listener. With `serve --workers N` the primary serves every worker's metrics added up",
    default: 'off',
  },
  PORTCULLIS_METRICS_HOST: {
    description:
      'address the metrics listener binds to; keep it on loopback or a private network, as /metrics has no authentication',
    ...plain(LOOPBACK_HOST),
  },
  PORTCULLIS_LOG_FORMAT: {
    description:
      'how `serve` and `dev` write their log on stderr: json (one JSON object per line, for log collectors) or pretty (a line per entry for people: time, level, message and fields; a request as method, path, status, OAuth error and duration). Secrets are redacted in both',
    default: 'pretty for `dev` when stderr is a terminal (and without --json); json otherwise',
  },
  PORTCULLIS_DATA_DIR: {
    description:
      'data folder for the embedded PostgreSQL (used when DATABASE_URL is unset) and the development secrets of `dev`, which `serve` refuses. As root with a folder the postgres user cannot enter (a private home), the cluster lives in /var/lib/portcullis/clusters, linked from <folder>/pg; `portcullis db remove-embedded` deletes both',
    ...plain('.portcullis'),
    usedBy: ['cli'],
  },
  PORTCULLIS_API_PORT: {
    description: 'example API port',
    ...plain(4000),
    usedBy: ['dev', 'example-api'],
  },
  PORTCULLIS_API_HOST: {
    description: 'address the example API listens on when run alone (`portcullis example-api`)',
    value: ALL_INTERFACES,
    default: `${ALL_INTERFACES} (\`dev\` always listens on ${LOOPBACK_HOST})`,
    usedBy: ['example-api'],
  },
  PORTCULLIS_API_RESOURCE: {
    description:
      "the example API's resource identifier: the audience its access tokens must name, and the URL its RFC 9728 metadata and challenges give as its own. Register it at the authorization server with the notes:read and notes:write scopes",
    /** The example API's resource identifier when it listens on `apiPort`. */
    value: (apiPort: number | string) => `http://localhost:${apiPort}`,
    default: 'http://localhost:$PORTCULLIS_API_PORT (what `dev` registers)',
    usedBy: ['example-api'],
  },
  PORTCULLIS_API_JWKS_URI: {
    description:
      "where the example API fetches the issuer's signing keys (http or https URL); set it when the API reaches the authorization server by another name than the issuer's (Compose, Kubernetes)",
    default: "unset: the jwks_uri of the issuer's discovery document",
    usedBy: ['example-api'],
  },
  PORTCULLIS_API_INTROSPECTION_CLIENT_ID: {
    description:
      "the confidential client the example API authenticates as at the issuer's introspection endpoint, so that it accepts opaque access tokens (`portcullis tokens issue`, resources of format opaque) besides JWTs; name it on the resource (`resources update --introspection-client`) and give its secret too. `dev` registers and configures one of its own",
    default: 'unset: the example API accepts JWTs only',
    usedBy: ['example-api'],
  },
  PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET: {
    description:
      'the secret of PORTCULLIS_API_INTROSPECTION_CLIENT_ID (or put it in a file: PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET_FILE, not both)',
    default: 'unset',
    usedBy: ['example-api'],
  },
  PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET_FILE: {
    description:
      'a file holding the secret of PORTCULLIS_API_INTROSPECTION_CLIENT_ID (a mounted container secret; one trailing newline is ignored)',
    default: 'unset',
    usedBy: ['example-api'],
  },
  PORTCULLIS_API_INTROSPECTION_ENDPOINT: {
    description:
      "where the example API introspects opaque tokens (http or https URL); set it, like PORTCULLIS_API_JWKS_URI, when the API reaches the authorization server by another name than the issuer's",
    default: "unset: the introspection_endpoint of the issuer's discovery document",
    usedBy: ['example-api'],
  },
  PORTCULLIS_API_INTROSPECTION_CACHE: {
    description:
      "how long the example API (run by `dev` or alone) reuses an answer that an opaque token is active, 0s to 1h, never past the token's expiry: a revoked opaque token is refused at the latest this long after its revocation. 0: ask on every request",
    ...duration('60s'),
    usedBy: ['dev', 'example-api'],
  },
  PORTCULLIS_API_REVOCATION_FEED: {
    description:
      "whether the example API (run by `dev` or alone) follows the issuer's revocation feed as its introspection client, so that a revoked grant or token, or a disabled or deleted user or client, is refused within seconds instead of at the token's expiry: on or off. on needs PORTCULLIS_API_INTROSPECTION_CLIENT_ID when run alone (`dev` always has its client)",
    default: 'on with an introspection client (always with `dev`), off without',
    usedBy: ['dev', 'example-api'],
  },
  PORTCULLIS_API_REVOCATION_FEED_GRACE: {
    description:
      'how long the example API keeps accepting tokens (judged by the revocations it already holds) once the revocation feed cannot be reached, 0s to 1h; after that it answers 503 until the feed answers again',
    ...duration('60s'),
    usedBy: ['dev', 'example-api'],
  },
  PORTCULLIS_API_REVOCATION_FEED_ENDPOINT: {
    description:
      "where the example API reads the revocation feed (http or https URL); set it, like PORTCULLIS_API_INTROSPECTION_ENDPOINT, when the API reaches the authorization server by another name than the issuer's",
    default:
      "unset: /revocations on the origin of PORTCULLIS_API_INTROSPECTION_ENDPOINT when that is set, else the revocation_feed_endpoint of the issuer's discovery document",
    usedBy: ['example-api'],
  },
  PORTCULLIS_API_DPOP: {
    description:
      "whether the example API (run by `dev` or alone) takes DPoP-bound access tokens (RFC 9449): off, Bearer tokens only (a DPoP-bound token is refused); allowed, a DPoP-bound token with `Authorization: DPoP` and a proof by its key, other tokens as Bearer; required, DPoP-bound tokens with their proof only. A proof names the URL it was made for, so with allowed or required clients must call the API at its resource identifier (PORTCULLIS_API_RESOURCE, or `dev`'s http://localhost:$PORTCULLIS_API_PORT)",
    ...plain('off'),
    usedBy: ['dev', 'example-api'],
  },
  PORTCULLIS_ACTOR: {
    description: 'who the audit trail names for changes made through the CLI (`cli:<name>`)',
    default: 'the operating-system user',
    usedBy: ['cli'],
  },
  PORTCULLIS_SERVER: {
    description:
      'the issuer URL of a server whose admin API the CLI runs its commands through instead of the database (remote mode, as `--server URL`; https, or http on localhost); the commands docs/operators.md lists under "Remote mode", others refuse in one line',
    default: 'unset: the database (local mode)',
    usedBy: ['cli'],
  },
  PORTCULLIS_ADMIN_TOKEN: {
    description:
      'remote mode: an access token for the admin API (resource urn:portcullis:admin), used as given',
    default: 'unset: a token got with PORTCULLIS_ADMIN_CLIENT_ID',
    usedBy: ['cli'],
  },
  PORTCULLIS_ADMIN_CLIENT_ID: {
    description:
      "remote mode without PORTCULLIS_ADMIN_TOKEN: the admin client whose credentials get a token (client credentials at the token endpoint of the server's discovery document)",
    default: 'unset',
    usedBy: ['cli'],
  },
  PORTCULLIS_ADMIN_CLIENT_SECRET: {
    description: "remote mode: the admin client's secret",
    default: 'unset: read from stdin',
    usedBy: ['cli'],
  },
  PORTCULLIS_ADMIN_SCOPE: {
    description: 'remote mode: the scopes asked for with the admin client (space-separated)',
    default:
      'unset: the scopes the command needs (admin:read, admin:write; admin:users for users and grants list; admin:keys for keys rotate)',
    usedBy: ['cli'],
  },
  PORTCULLIS_DEBUG: {
    description:
      '1: print the stack trace of an unexpected error after its one-line message; 0: do not',
    ...plain('0'),
    usedBy: ['cli'],
  },
  PORTCULLIS_TEST_DATA_DIR: {
    description:
      '`pnpm test`: data folder of the embedded PostgreSQL the suite starts when DATABASE_URL is unset',
    ...plain('.portcullis/test'),
    usedBy: ['tests'],
  },
  PORTCULLIS_BROWSER: {
    description:
      '`pnpm test`: path of the chromium or Chrome that the browser test (packages/e2e/test/browser.test.ts) drives; `pnpm test` passes the one it found or installed to the test in this variable',
    default:
      "unset: chromium, chromium-browser, google-chrome or google-chrome-stable on PATH, then the newest chromium in Playwright's browser cache; with none, `pnpm test` installs Debian's chromium when root on Debian, else stops naming the command to run",
    usedBy: ['tests'],
  },
});

/** Every setting, in the order of the configuration reference (docs/configuration.md). */
export const SETTINGS: readonly Setting[] = Object.values(SETTING);
