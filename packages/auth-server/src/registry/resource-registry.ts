import type { ResourceRecord, ResourcesRepository } from '@portcullis/storage';

/**
 * An in-process cache of API resources and their scopes, dropped entry by entry when a change is
 * announced. Unknown identifiers are not cached, so the cache only holds real resources, and at
 * most `maxEntries` of them (10,000, as the clients' cache): past that the oldest is dropped.
 */
export function createResourceRegistry(options: {
  resources: ResourcesRepository;
  maxEntries?: number;
}) {
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, ResourceRecord>();
  let epoch = 0;

  return {
    /**
     * The resource if it is cached right now, without loading it: the token path asks for the
     * same resource on every request, and an answer without a promise is cheaper.
     */
    peek(identifier: string): ResourceRecord | undefined {
      return cache.get(identifier);
    },

    async get(identifier: string): Promise<ResourceRecord | undefined> {
      const hit = cache.get(identifier);
      if (hit) return hit;
      const started = epoch;
      const record = await options.resources.find(identifier);
      if (record && started === epoch) {
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
        cache.set(identifier, record);
      }
      return record;
    },

    invalidate(identifier: string): void {
      epoch += 1;
      cache.delete(identifier);
    },

    clear(): void {
      epoch += 1;
      cache.clear();
    },
  };
}

/** The registry {@link createResourceRegistry} returns. */
export type ResourceRegistry = ReturnType<typeof createResourceRegistry>;
