import { RequestLocal } from '../request-locals.ts';

type Payload = Record<string, unknown>;

/** Appended to a model's name for its reads by uid. */
const BY_UID = '\u0001uid';

/**
 * The models oidc-provider reads several times while serving one request, with nothing written
 * in between: the interaction (its page and `interactionDetails`, then `interactionFinished`),
 * the session and the grant. Single-use artifacts (codes, refresh tokens) are never in it:
 * their `consumed` state must come from the database at every read.
 */
const READ_ONCE = new Set([
  'Interaction',
  'Session',
  'Grant',
  `Session${BY_UID}`,
  // Whether a user read in this request has a second factor (user-facts.ts).
  'User\u0001factor',
]);

/** What this request has read, by model and id; `undefined` is a read that found nothing. */
type Reads = Map<string, Payload | undefined>;

const requestReads = new RequestLocal<Reads>();

/**
 * Runs one HTTP request (`work`) with its own memory of the artifacts it read, so a second read of
 * the same interaction, session or grant within the request costs no statement. Nothing outlives
 * the request: another request, or another replica, always reads the database.
 *
 * @example
 * return withArtifactReads(() => handle(req, res));
 */
export function withArtifactReads<T>(work: () => T): T {
  return requestReads.run(new Map(), work);
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
  const reads = READ_ONCE.has(model) ? requestReads.get() : undefined;
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
 * The request's reads of `model` by uid (oidc-provider finds the session of an interaction by
 * its uid, in the page's `interactionDetails` and again in `interactionResult`), like
 * {@link artifactReads}; forgotten with every read of the model when one of it is written.
 *
 * @example
 * const reads = artifactReadsByUid('Session');
 */
export function artifactReadsByUid(model: string) {
  return artifactReads(`${model}${BY_UID}`);
}

/**
 * Forgets what this request read of `model` `id` (written, consumed or destroyed), or everything
 * (grants revoked, whose sessions and grants change with them).
 *
 * @example
 * forgetArtifactRead('Interaction', id);
 */
export function forgetArtifactRead(model?: string, id?: string): void {
  const reads = requestReads.get();
  if (!reads) return;
  if (model === undefined || id === undefined) reads.clear();
  else {
    reads.delete(`${model}\u0000${id}`);
    // What was read by uid may be this one: forgotten too.
    const byUid = `${model}${BY_UID}\u0000`;
    for (const key of reads.keys()) if (key.startsWith(byUid)) reads.delete(key);
  }
}
