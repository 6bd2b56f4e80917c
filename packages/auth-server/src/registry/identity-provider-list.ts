/** What the login page shows of an identity provider: a "Sign in with" button. */
export interface ListedIdentityProvider {
  id: string;
  name: string;
}

/**
 * An in-process copy of the identity providers the login page lists, read from the database on
 * first use and again after {@link clear}: the server clears it when a provider changes on any
 * process (LISTEN/NOTIFY, kind `identity_provider`) and whenever its listening connection comes
 * back (what was announced while it was down is lost). Only ids and names are kept; a button
 * leads to the provider's route, which reads the provider itself.
 *
 * @example
 * const idps = createIdentityProviderList(() => identityProviders.list());
 * listenForChanges(url, { onChange: (c) => c.kind === 'identity_provider' && idps.clear() });
 */
export function createIdentityProviderList(load: () => Promise<ListedIdentityProvider[]>): {
  list(): Promise<ListedIdentityProvider[]>;
  clear(): void;
} {
  let cached: ListedIdentityProvider[] | undefined;
  let loading: Promise<ListedIdentityProvider[]> | undefined;
  // Bumped by every clear: a load that started before it must not fill the cache.
  let epoch = 0;

  const read = async () => {
    const started = epoch;
    try {
      const listed = (await load()).map(({ id, name }) => ({ id, name }));
      if (started === epoch) cached = listed;
      return listed;
    } finally {
      if (started === epoch) loading = undefined;
    }
  };

  return {
    async list() {
      if (cached) return cached;
      loading ??= read();
      return loading;
    },
    clear() {
      epoch += 1;
      cached = undefined;
      loading = undefined;
    },
  };
}
