import { AsyncLocalStorage } from 'node:async_hooks';

type Payload = Record<string, unknown>;

/**
 * The models oidc-provider reads several times while serving one request, with nothing written
 * in between: the interaction (its page and `interactionDetails`, then `interactionFinished`),
 * the session and the grant. Single-use artifacts (codes, refresh tokens) are never in it:
 * their `consumed` state must come from the database at every read.
 */
const READ_ONCE = new Set(['Interaction', 'Session', 'Grant']);

/** What this request has read, by model and id; `undefined` is a read that found nothing. */
type Reads = Map<string, Payload | undefined>;

const storage = new AsyncLocalStorage<Reads>();

/**
 * Runs one HTTP request (`work`) with its own memory of the artifacts it read, so a second read of
 * the same interaction, session or grant within the request costs no statement. Nothing outlives
 * the request: another request, or another replica, always reads the database.
 *
 * @example
 * return withArtifactReads(() => handle(req, res));
 */
export function withArtifactReads<T>(work: () => T): T {
  return storage.run(new Map(), work);
}

/**
 * The request's reads of `model`, when it is one read once per request and a request is being
 * served; each value is a copy, so what oidc-provider changes in what it was given changes
 * nothing here until it writes it.
 *
 * @example
 * const reads = artifactReads('Session');
 * if (reads?.has(id)) return reads.get(id);
 */
export function artifactReads(model: string) {
  const reads = READ_ONCE.has(model) ? storage.getStore() : undefined;
  if (!reads) return undefined;
  const key = (id: string) => `${model}\u0000${id}`;
  return {
    has: (id: string) => reads.has(key(id)),
    get: (id: string) => {
      const payload = reads.get(key(id));
      return payload && structuredClone(payload);
    },
    set: (id: string, payload: Payload | undefined) => {
      reads.set(key(id), payload && structuredClone(payload));
    },
  };
}

/**
 * Forgets what this request read of `model` `id` (written, consumed or destroyed), or everything
 * (grants revoked, whose sessions and grants change with them).
 *
 * @example
 * forgetArtifactRead('Interaction', id);
 */
export function forgetArtifactRead(model?: string, id?: string): void {
  const reads = storage.getStore();
  if (!reads) return;
  if (model === undefined || id === undefined) reads.clear();
  else reads.delete(`${model}\u0000${id}`);
}
