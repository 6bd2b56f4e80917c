import type Provider from 'oidc-provider';
import type { ClientRegistry } from '../registry/client-registry.ts';

type ProviderClient = NonNullable<Awaited<ReturnType<Provider['Client']['find']>>>;

/**
 * Makes a lookup of a cached client cost one map lookup. oidc-provider rebuilds nothing for a
 * client that comes from the adapter, but it finds the client it built before by serialising the
 * adapter's metadata to JSON and hashing it, on every lookup (the token endpoint looks the
 * client up on every request). The registry hands out the same metadata object for as long as the
 * client is unchanged and drops it when the client changes or is disabled, so the client built
 * from that object is kept by it (weakly: it goes when the registry lets the metadata go).
 * A client is kept only when the registry held the same metadata before and after building it,
 * so a client never answers for metadata it was not built from.
 *
 * @example
 * reuseClients(provider, clients);
 */
export function reuseClients(provider: Provider, clients: ClientRegistry): void {
  const Client = provider.Client;
  const find = Client.find.bind(Client);
  const built = new WeakMap<object, ProviderClient>();
  Client.find = async (id: string) => {
    const metadata = typeof id === 'string' ? clients.peek(id)?.metadata : undefined;
    const known = metadata && built.get(metadata);
    if (known) return known;
    const client = await find(id);
    if (client && metadata && clients.peek(id)?.metadata === metadata) built.set(metadata, client);
    return client;
  };
}
