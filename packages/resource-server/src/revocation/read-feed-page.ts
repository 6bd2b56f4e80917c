import { readJsonObject } from '../http/read-json-object.ts';
import type { Revocation } from './revocation-set.ts';

// A page is at most 1000 entries of a few hundred bytes.
const maxResponseBytes = 1024 * 1024;
const kinds: ReadonlySet<string> = new Set(['grant', 'token', 'subject', 'client']);

// RFC 6749 §2.3.1: the client id and secret are form-encoded before the Basic encoding.
const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');

/** One answer of the revocation feed. */
export interface FeedPage {
  cursor: string;
  /** Drop what is held: the entries start the live feed over. */
  reset: boolean;
  /** More entries wait: ask again at once. */
  more: boolean;
  entries: Revocation[];
}

/** What a feed request needs. */
export interface FeedRequest {
  endpoint: URL;
  /** The previous answer's cursor; undefined for the first request. */
  cursor: string | undefined;
  waitSeconds: number;
  clientId: string;
  clientSecret: string;
  /** Aborts the request (a timeout, or the subscriber closing). */
  signal: AbortSignal;
}

function toRevocation(value: unknown): Revocation {
  const entry = value as Record<string, unknown> | null;
  if (
    typeof entry !== 'object' ||
    entry === null ||
    typeof entry.kind !== 'string' ||
    !kinds.has(entry.kind) ||
    typeof entry.value !== 'string' ||
    typeof entry.revoked_at !== 'number' ||
    typeof entry.expires_at !== 'number'
  ) {
    throw new Error('the feed answered a malformed entry');
  }
  return {
    kind: entry.kind as Revocation['kind'],
    value: entry.value,
    revokedAt: entry.revoked_at,
    expiresAt: entry.expires_at,
  };
}

/**
 * One long-polling request to the authorization server's revocation feed, with HTTP Basic
 * client authentication: the entries after `cursor`, waiting up to `waitSeconds` for one.
 * Redirects are not followed (they would carry the secret elsewhere). Throws a plain `Error` for
 * anything but a 200 feed answer (a refused client included); the subscriber retries.
 *
 * @example
 * const page = await readFeedPage({ endpoint, cursor, waitSeconds: 20, clientId, clientSecret, signal });
 */
export async function readFeedPage(request: FeedRequest): Promise<FeedPage> {
  const url = new URL(request.endpoint);
  if (request.cursor !== undefined) url.searchParams.set('after', request.cursor);
  url.searchParams.set('wait', String(request.waitSeconds));
  const basic = Buffer.from(
    `${formEncode(request.clientId)}:${formEncode(request.clientSecret)}`,
  ).toString('base64');
  const response = await fetch(url, {
    redirect: 'manual',
    signal: request.signal,
    headers: { accept: 'application/json', authorization: `Basic ${basic}` },
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`the revocation feed answered HTTP ${response.status}`);
  }
  const body = await readJsonObject(response, maxResponseBytes);
  const { cursor, reset, more, revocations } = body;
  if (
    typeof cursor !== 'string' ||
    !/^\d{1,19}$/.test(cursor) ||
    typeof reset !== 'boolean' ||
    typeof more !== 'boolean' ||
    !Array.isArray(revocations)
  ) {
    throw new Error('the revocation feed answered something else than a page');
  }
  return { cursor, reset, more, entries: revocations.map(toRevocation) };
}
