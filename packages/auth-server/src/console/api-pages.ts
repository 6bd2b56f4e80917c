import type { RouteContext } from '../routes/route.ts';
import type { ApiAnswer } from './admin-api-client.ts';
import type { SignedIn } from './console-request.ts';

/** How many items a page of a console list shows. */
const PAGE_SIZE = 50;
/** The longest search the API takes (its `q`); a longer one is cut here, not refused. */
const SEARCH_LENGTH = 200;

/** A page of a list of the admin API. */
export interface ListPage<T> {
  items: T[];
  next_cursor: string | null;
}

/** What a list page was asked for: the search (trimmed; '' for none) and the page's cursor. */
export interface ListRequest {
  q: string;
  cursor?: string;
}

/**
 * The search (`q`) and cursor a console list page was asked for, from its query string.
 *
 * @example
 * listRequest(ctx); // { q: 'billing', cursor: 'WyJi...' }
 */
export function listRequest(ctx: RouteContext): ListRequest {
  const q = typeof ctx.query.q === 'string' ? ctx.query.q.trim().slice(0, SEARCH_LENGTH) : '';
  const cursor = typeof ctx.query.cursor === 'string' ? ctx.query.cursor : undefined;
  return { q, ...(cursor ? { cursor } : {}) };
}

/**
 * A page of a list of the admin API (`path`): searched by the API (its `q`, done in the
 * database) when `request.q` is given, after `request.cursor`, with `filters` besides.
 *
 * @example
 * const answer = await apiPage<ClientJson>(signed, '/clients', listRequest(ctx));
 */
export function apiPage<T>(
  signed: SignedIn,
  path: string,
  request: ListRequest,
  filters: Record<string, string | undefined> = {},
): Promise<ApiAnswer<ListPage<T>>> {
  return signed.api<ListPage<T>>({
    path,
    query: {
      ...filters,
      limit: String(PAGE_SIZE),
      cursor: request.cursor,
      ...(request.q ? { q: request.q } : {}),
    },
  });
}
