import type { ApiAnswer } from './admin-api-client.ts';
import type { SignedIn } from './console-request.ts';

/** A search reads pages of the API's maximum size... */
const SEARCH_PAGE_SIZE = 200;
/** ...and stops after this many (40,000 items) rather than run unbounded. */
const SEARCH_PAGES = 200;

type ListPage<T> = { items: T[]; next_cursor: string | null };

/**
 * The items of a paged list of the admin API (`path`, followed by its cursor) that `matches`
 * keeps; or the first answer that is not a 200, for the page to refuse with.
 *
 * @example
 * const found = await findInPages<ClientJson>(signed, '/clients', (c) => c.name.includes('x'));
 */
export async function findInPages<T>(
  signed: SignedIn,
  path: string,
  matches: (item: T) => boolean,
): Promise<{ found: T[] } | { refusal: ApiAnswer }> {
  const found: T[] = [];
  let next: string | undefined;
  for (let pages = 0; pages < SEARCH_PAGES; pages += 1) {
    const answer: ApiAnswer<ListPage<T>> = await signed.api<ListPage<T>>({
      path,
      query: { limit: String(SEARCH_PAGE_SIZE), cursor: next },
    });
    if (answer.status !== 200) return { refusal: answer };
    found.push(...answer.body.items.filter(matches));
    next = answer.body.next_cursor ?? undefined;
    if (!next) break;
  }
  return { found };
}
