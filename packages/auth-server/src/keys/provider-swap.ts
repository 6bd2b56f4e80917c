import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { PrivateJwk } from './signing-keys.ts';

/** The oidc-provider instance in service, replaced whole when the signing keys change. */
export interface ProviderSwap {
  /** The instance serving requests now. */
  readonly current: Provider;
  /**
   * A stable stand-in for whoever holds on to "the provider" (our interaction and account
   * routes): every property and method reaches the instance current at the time of the call.
   */
  readonly provider: Provider;
  /** Hands a request to the current instance's Koa handler. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Builds an instance with `jwks` and puts it in service; the old one finishes its requests. */
  swap(jwks: PrivateJwk[]): void;
}

/** True when `property` is a method of `target`'s class chain, not a value of its own. */
function isMethod(target: object, property: PropertyKey): boolean {
  if (Object.hasOwn(target, property)) return false;
  for (let proto = Object.getPrototypeOf(target); proto; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, property);
    if (descriptor) return 'value' in descriptor && typeof descriptor.value === 'function';
  }
  return false;
}

/**
 * oidc-provider takes its keys once, at construction, and has no API to change them. The clean
 * way to change keys without a restart is a new instance: everything an instance holds beyond
 * its configuration (sessions, grants, interactions, codes, tokens, replay records) lives in
 * PostgreSQL through our adapter, and clients and resources in registries shared by every
 * instance, so nothing is lost by a swap. A request is handed to the instance current when it
 * arrives and finishes there; the old instance is garbage once its last request is done.
 *
 * `build` must apply every per-instance setting (middleware, event listeners) each time.
 *
 * @example
 * const providers = createProviderSwap((jwks) => createProvider({ ...deps, jwks }), initialKeys);
 * http.createServer((req, res) => providers.handle(req, res));
 * watcher.onKeys = (jwks) => providers.swap(jwks);
 */
export function createProviderSwap(
  build: (jwks: PrivateJwk[]) => Provider,
  jwks: PrivateJwk[],
): ProviderSwap {
  const instantiate = (keys: PrivateJwk[]) => {
    const provider = build(keys);
    return { provider, handler: provider.callback() };
  };
  let current = instantiate(jwks);

  // Provider's methods use private class fields, so they must run with the instance itself as
  // `this`; getters (provider.Grant, provider.Session) return classes whose static methods must
  // stay reachable, so those are returned as they are.
  const provider = new Proxy({} as Provider, {
    get(_target, property) {
      const target = current.provider;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' && isMethod(target, property) ? value.bind(target) : value;
    },
    set: (_target, property, value) => Reflect.set(current.provider, property, value),
    has: (_target, property) => Reflect.has(current.provider, property),
    getPrototypeOf: () => Reflect.getPrototypeOf(current.provider),
  });

  return {
    get current() {
      return current.provider;
    },
    provider,
    handle: (req, res) => current.handler(req, res),
    swap(keys) {
      current = instantiate(keys);
    },
  };
}
