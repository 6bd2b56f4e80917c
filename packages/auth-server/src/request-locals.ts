import { AsyncLocalStorage } from 'node:async_hooks';

// One store per request for every RequestLocal: the value of each, by local.
const storage = new AsyncLocalStorage<Map<object, unknown>>();

/**
 * A value kept for the request being served, as an `AsyncLocalStorage` of its own would keep it,
 * but in one store that the request's other values share. Every `AsyncLocalStorage.run` gives
 * the code under it a new async context, copied from the one around it: a request served under
 * four of them (its log scope, its page context, its artifact reads, oidc-provider's request
 * context) paid for four copies, each larger than the last, on every request
 * (docs/benchmarks.md); sharing one store, it pays for one.
 *
 * @example
 * const brand = new RequestLocal<Brand>();
 * brand.run(DEFAULT_BRAND, () => render()); // brand.get() is DEFAULT_BRAND within render
 */
export class RequestLocal<T> {
  /** The value for the code running now, if any. */
  get(): T | undefined {
    return storage.getStore()?.get(this) as T | undefined;
  }

  /**
   * Runs `fn` with `value` as this local's value. Inside a request's store that has no value for
   * this local yet, the value joins that store (no new async context; it stays for the rest of
   * the request, so set it where the request starts); anywhere else (outside any request, or a
   * nested run with a value of its own) `fn` gets a new store, as `AsyncLocalStorage.run`
   * would give it, holding the values around it and this one.
   */
  run<R>(value: T, fn: () => R): R {
    const store = storage.getStore();
    if (store && !store.has(this)) {
      store.set(this, value);
      return fn();
    }
    return storage.run(new Map(store).set(this, value), fn);
  }
}
