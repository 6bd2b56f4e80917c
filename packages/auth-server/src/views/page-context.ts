import { RequestLocal } from '../request-locals.ts';
import { type Brand, DEFAULT_BRAND } from './brand.ts';
import type { Messages } from './messages/en.ts';

/** What every page of a request is rendered with: the brand and the language. */
export interface PageContext {
  brand: Brand;
  /** The languages the pages speak (views/i18n.ts), English always among them. */
  catalogue: ReadonlyMap<string, Messages>;
  /** The request's Accept-Language header. */
  acceptLanguage?: string | undefined;
  /** The language negotiated from it, at the first message a page asks for. */
  language?: string;
}

const contexts = new RequestLocal<PageContext>();

/**
 * Runs `handle` (a request, from its first middleware to its answer) with `context`, which every
 * page it renders reads: the layout (views/html.ts) and the messages (views/i18n.ts) take the
 * brand and the language from here rather than from each view's arguments, so that
 * oidc-provider's pages and ours look and speak alike without every route passing them down.
 *
 * @example
 * withPageContext({ brand, catalogue, acceptLanguage: req.headers['accept-language'] }, () => handler(req, res));
 */
export function withPageContext<T>(context: PageContext, handle: () => T): T {
  return contexts.run(context, handle);
}

/** The context of the request being answered; undefined outside of one (a unit test of a view). */
export function currentPageContext(): PageContext | undefined {
  return contexts.get();
}

/** The brand of the request being answered; ours outside of one. */
export function currentBrand(): Brand {
  return contexts.get()?.brand ?? DEFAULT_BRAND;
}
