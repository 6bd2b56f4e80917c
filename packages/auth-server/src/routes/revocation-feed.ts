import { isDatabaseUnavailable, type RevocationPage } from '@portcullis/storage';
import type Koa from 'koa';
import type { ClientAuthLimits } from '../limits/client-auth-limits.ts';
import {
  FEED_DEFAULT_LIMIT,
  FEED_DEFAULT_WAIT_SECONDS,
  FEED_MAX_LIMIT,
  FEED_MAX_WAIT_SECONDS,
  type FeedRequest,
  type RevocationFeed,
} from '../services/revocation-feed.ts';
import type { RouteHandler } from './route.ts';

/** What the feed's route needs. */
export interface RevocationFeedDeps {
  feed: RevocationFeed;
  /** Wrong credentials count as failed client authentication, as at the token endpoint. */
  limits: ClientAuthLimits;
}

const PARAMETERS = new Set(['after', 'wait', 'limit']);
const CHALLENGE = 'Basic realm="revocation feed", charset="UTF-8"';

// A refusal with its status and RFC 6749 error.
class Refusal extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// `name`'s single value as a whole number within [0, max], or `fallback` when absent.
function whole(query: URLSearchParams, name: string, max: bigint, fallback: bigint): bigint {
  const values = query.getAll(name);
  if (values.length === 0) return fallback;
  const [value] = values;
  if (
    values.length > 1 ||
    value === undefined ||
    !/^\d{1,18}$/.test(value) ||
    BigInt(value) > max
  ) {
    throw new Refusal(400, 'invalid_request', `${name} must be a whole number from 0 to ${max}`);
  }
  return BigInt(value);
}

function readRequest(search: string): FeedRequest {
  const query = new URLSearchParams(search);
  for (const name of query.keys()) {
    if (!PARAMETERS.has(name)) throw new Refusal(400, 'invalid_request', 'unknown parameter');
  }
  const after = query.has('after') ? whole(query, 'after', 10n ** 18n, 0n) : undefined;
  const limit = Number(whole(query, 'limit', BigInt(FEED_MAX_LIMIT), BigInt(FEED_DEFAULT_LIMIT)));
  if (limit < 1) throw new Refusal(400, 'invalid_request', 'limit must be at least 1');
  return {
    after,
    waitSeconds: Number(
      whole(query, 'wait', BigInt(FEED_MAX_WAIT_SECONDS), BigInt(FEED_DEFAULT_WAIT_SECONDS)),
    ),
    limit,
  };
}

// HTTP Basic client authentication (RFC 6749 §2.3.1: each part form-urlencoded); undefined
// when the request has none or a malformed one.
function basicCredentials(header: string): { clientId: string; secret: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+=*)$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  try {
    const part = (text: string) => decodeURIComponent(text.replace(/\+/g, ' '));
    return { clientId: part(decoded.slice(0, colon)), secret: part(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

function toBody(page: RevocationPage) {
  return {
    cursor: page.cursor,
    reset: page.reset,
    more: page.more,
    revocations: page.entries.map((entry) => ({
      kind: entry.kind,
      value: entry.value,
      revoked_at: seconds(entry.revokedAt),
      expires_at: seconds(entry.expiresAt),
    })),
  };
}

/**
 * `GET /revocations`: the revocation feed for resource servers, by long polling. The caller
 * authenticates with HTTP Basic as a client that some resource names as its introspection client
 * (`resources create --introspection-client`); `after` is the `cursor` of its previous answer
 * (absent the first time), `wait` the seconds to wait for news [20, at most 30], `limit` the
 * most entries [500, at most 1000]. Answers `{cursor, reset, more, revocations: [{kind, value,
 * revoked_at, expires_at}]}` with `Cache-Control: no-store`; `reset: true` means "drop what you
 * hold, this is the live feed from its start". Wrong credentials: 401 `invalid_client` with a
 * Basic challenge, counted like a failed client authentication (429 with `Retry-After` over the
 * limit); a client that speaks for no resource: 403 `unauthorized_client`; a bad parameter:
 * 400 `invalid_request`; PostgreSQL unreachable: 503 with `Retry-After`.
 *
 * @example
 * const route = revocationFeedRoute({ feed, limits: limits.clientAuth });
 */
export function revocationFeedRoute(deps: RevocationFeedDeps): RouteHandler {
  const refuse = async (ctx: Koa.Context, error: Refusal, clientId?: string) => {
    ctx.status = error.status;
    ctx.body = { error: error.code, error_description: error.message };
    if (error.status === 503) ctx.set('Retry-After', '5');
    if (error.code !== 'invalid_client') return;
    ctx.set('WWW-Authenticate', CHALLENGE);
    if (clientId === undefined) return;
    const retryAfter = await deps.limits.failed({
      clientId,
      address: ctx.ip,
      endpoint: 'revocation_feed',
    });
    if (retryAfter !== undefined) {
      ctx.status = 429;
      ctx.set('Retry-After', String(retryAfter));
      ctx.remove('WWW-Authenticate');
    }
  };

  return async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
    const credentials = basicCredentials(ctx.get('authorization'));
    try {
      if (!credentials) {
        throw new Refusal(401, 'invalid_client', 'authenticate with HTTP Basic as a resource');
      }
      const request = readRequest(ctx.querystring);
      const caller = await deps.feed.authenticate(credentials.clientId, credentials.secret);
      if (caller === 'unauthenticated') {
        throw new Refusal(401, 'invalid_client', 'client authentication failed');
      }
      if (caller === 'not_a_resource') {
        throw new Refusal(
          403,
          'unauthorized_client',
          "the client is no resource's introspection client",
        );
      }
      ctx.body = toBody(await deps.feed.read(request));
    } catch (error) {
      if (error instanceof Refusal) return refuse(ctx, error, credentials?.clientId);
      if (isDatabaseUnavailable(error)) {
        return refuse(
          ctx,
          new Refusal(503, 'temporarily_unavailable', 'the service is temporarily unavailable'),
        );
      }
      throw error;
    }
  };
}
