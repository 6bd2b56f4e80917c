import { html, type SafeHtml } from '../../views/html.ts';

/**
 * A list's search form (GET, `q`), labelled with what it searches.
 *
 * @example
 * searchForm('/admin/clients', 'Search by name or client ID', query);
 */
export function searchForm(action: string, label: string, query: string): SafeHtml {
  return html`<form method="get" action="${action}" role="search"><div><label for="search">${label}</label>
<input type="search" id="search" name="q" value="${query}" maxlength="200"></div><button type="submit" class="secondary">Search</button></form>`;
}

/**
 * What a list's table shows, as its caption: `title` (what the list is), or how many match a
 * search (on one page: a search is paged like the list, so with a next page it says so instead).
 *
 * @example
 * listCaption({ count: 3, query: 'bill', more: false, noun: ['client', 'clients'], title: 'Clients, by name' });
 */
export function listCaption(options: {
  count: number;
  query: string;
  more: boolean;
  noun: readonly [string, string];
  title: string;
}): string {
  const [one, many] = options.noun;
  if (!options.query) return options.title;
  if (options.more) return `The ${many} matching “${options.query}”, a page at a time`;
  return `${options.count} ${options.count === 1 ? `${one} matches` : `${many} match`} “${options.query}”`;
}

/**
 * The link to a list's next page (the API's cursor), keeping its search; nothing on the last.
 *
 * @example
 * nextPageLink('/admin/clients', 'bill', next); // <p class="pager"><a href="/admin/clients?q=bill&cursor=...">
 */
export function nextPageLink(path: string, query: string, next: string | undefined): SafeHtml {
  if (!next) return html``;
  const params = new URLSearchParams({ ...(query ? { q: query } : {}), cursor: next });
  return html`<p class="pager"><a href="${path}?${params.toString()}">Next page</a></p>`;
}
