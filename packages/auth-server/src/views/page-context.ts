import { AsyncLocalStorage } from 'node:async_hooks';
import { type Brand, DEFAULT_BRAND } from './brand.ts';

/** What every page of a request is rendered with: the server's brand. */
export interface PageContext {
  brand: Brand;
}

const storage = new AsyncLocalStorage<PageContext>();

/**
 * Runs `handle` (a request, from its first middleware to its answer) with `context`, which every
 * page it renders reads: the layout (views/html.ts) takes the brand from here rather than from
 * each view's arguments, so that oidc-provider's pages and ours look alike without every route
 * passing it down.
 *
 * @example
 * withPageContext({ brand: config.brand }, () => handler(req, res));
 */
export function withPageContext<T>(context: PageContext, handle: () => T): T {
  return storage.run(context, handle);
}

/** The brand of the request being answered; ours outside of one (a unit test of a view). */
export function currentBrand(): Brand {
  return storage.getStore()?.brand ?? DEFAULT_BRAND;
}
