import type { ArtifactWrite, CompanionWrites, NewAuditEvent } from '@portcullis/storage';
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

/** What the request wrote that waits for its next artifact write (see {@link deferAudit}). */
interface Pending {
  writes: ArtifactWrite[];
  destroy: Array<{ model: string; id: string }>;
  audits: NewAuditEvent[];
}

/** Writes artifacts and what rides with them in one statement (the artifacts repository's). */
type Flush = (writes: ArtifactWrite[], companions: CompanionWrites | undefined) => Promise<void>;

interface RequestStore {
  reads: Reads;
  pending: Pending;
  /** Writes what is pending (one statement), when no later write carried it. */
  flush?: Flush;
  /** How many {@link batchArtifactWrites} scopes are open. */
  batching: number;
}

const nothingPending = (): Pending => ({ writes: [], destroy: [], audits: [] });

const requestStore = new RequestLocal<RequestStore>();

/**
 * Runs one HTTP request (`work`) with its own memory of the artifacts it read, so a second read of
 * the same interaction, session or grant within the request costs no statement. Nothing outlives
 * the request: another request, or another replica, always reads the database. With `flush`,
 * the request's writes may also wait for its next artifact write and go in its statement
 * ({@link deferAudit}, {@link deferDestroy}); what is still waiting when `work` settles is written
 * by `flush` (a failure goes to `onError`: the response is gone by then).
 *
 * @example
 * return withArtifactReads(() => handle(req, res), { flush: artifacts.write, onError });
 */
export function withArtifactReads<T>(
  work: () => Promise<T>,
  options: { flush?: Flush; onError?: (error: unknown) => void } = {},
): Promise<T> {
  const store: RequestStore = {
    reads: new Map(),
    pending: nothingPending(),
    flush: options.flush,
    batching: 0,
  };
  // What is still pending once `work` settles; nothing to wait for when nothing is (every
  // client-credentials token).
  const flushed = () => flushPendingWrites()?.catch((error: unknown) => options.onError?.(error));
  return requestStore.run(store, () =>
    settle(work).then(
      (value) => {
        const flushing = flushed();
        return flushing ? flushing.then(() => value) : value;
      },
      (error: unknown) => {
        const flushing = flushed();
        if (!flushing) throw error;
        return flushing.then(() => {
          throw error;
        });
      },
    ),
  );
}

// `work()`'s promise, or a rejected one when it throws instead of returning one.
function settle<T>(work: () => Promise<T>): Promise<T> {
  try {
    return work();
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Appends `event` to the audit trail with the request's next artifact write, in its statement
 * (the sign-in's result, the consent's interaction): recorded exactly when that is written.
 * False, recording nothing, outside a request that can hold it: the caller records it itself.
 *
 * @example
 * if (!deferAudit(event)) await audit.record(event);
 */
export function deferAudit(event: NewAuditEvent): boolean {
  const store = requestStore.get();
  if (!store?.flush) return false;
  store.pending.audits.push(event);
  return true;
}

/**
 * Deletes artifact `model` `id` (its stored key) with the request's next artifact write, and
 * reads it as gone until then. False outside a request that can hold it.
 *
 * @example
 * if (!deferDestroy('Interaction', key, id)) await artifacts.destroy('Interaction', key);
 */
export function deferDestroy(model: string, key: string, id: string): boolean {
  const store = requestStore.get();
  if (!store?.flush || !READ_ONCE.has(model)) return false;
  // A write of it waiting too is dropped: the row ends deleted.
  const { pending } = store;
  pending.writes = pending.writes.filter((w) => w.model !== model || w.id !== key);
  pending.destroy.push({ model, id: key });
  forgetArtifactRead(model, id);
  store.reads.set(`${model}\u0000${id}`, undefined);
  return true;
}

/**
 * Holds `write` (an artifact's, under its stored key) until the request's next read of the
 * database, its next write that cannot wait, or the end of the {@link batchArtifactWrites} scope
 * or oidc-provider's route (request-context.ts), before the response: the request's writes then
 * go in one statement. A deletion of the same artifact waiting is dropped (the write comes
 * after it); an earlier write of it is replaced. False outside a request that can hold it.
 *
 * @example
 * if (!deferWrite(write)) await artifacts.write(write);
 */
export function deferWrite(write: ArtifactWrite): boolean {
  const store = requestStore.get();
  if (!store?.flush) return false;
  const { pending } = store;
  const other = (d: { model: string; id: string }) => d.model !== write.model || d.id !== write.id;
  pending.destroy = pending.destroy.filter(other);
  pending.writes = [...pending.writes.filter(other), write];
  return true;
}

/**
 * Whether artifact writes wait in this request: a read of the database must see them done first.
 * (A deletion waiting is read as gone without one, {@link deferDestroy}.)
 */
export function writesPending(): boolean {
  return (requestStore.get()?.pending.writes.length ?? 0) > 0;
}

/**
 * Runs `work` with the request's artifact writes held ({@link deferWrite}), and writes them in
 * one statement when it settles, before the caller answers: a consent's grant and the
 * interaction's result, for instance. Outside a request it only runs `work`.
 *
 * @example
 * await batchArtifactWrites(() => finish(ctx, { consent: { grantId: await saveGrant(details) } }));
 */
export async function batchArtifactWrites<T>(work: () => Promise<T>): Promise<T> {
  const store = requestStore.get();
  if (!store?.flush) return work();
  store.batching += 1;
  try {
    return await work();
  } finally {
    store.batching -= 1;
    await flushPendingWrites();
  }
}

/** Whether a {@link batchArtifactWrites} scope is open in this request. */
export function batchingArtifactWrites(): boolean {
  return (requestStore.get()?.batching ?? 0) > 0;
}

/**
 * Takes what waits for the next artifact write, less the deletion and the earlier write of
 * `except` (the artifact that write replaces: one statement must not write a row twice). A
 * session written while a session's deletion waits takes over the row of its uid (its rotation
 * to a new id: the old id is renamed, not deleted and inserted again, which the unique uid would
 * refuse in one statement). Undefined when nothing waits.
 *
 * @example
 * const pending = takePendingWrites({ model, id: key });
 * await artifacts.write([...(pending?.writes ?? []), write], pending);
 */
export function takePendingWrites(except?: {
  model: string;
  id: string;
}): (CompanionWrites & { writes: ArtifactWrite[] }) | undefined {
  const store = requestStore.get();
  if (!store) return undefined;
  const { writes, destroy, audits } = store.pending;
  store.pending = nothingPending();
  const other = (d: { model: string; id: string }) =>
    d.model !== except?.model || d.id !== except?.id;
  const kept = destroy.filter(other);
  const rotating = new Set(kept.filter((d) => d.model === 'Session').map((d) => d.model));
  const written = writes
    .filter(other)
    .map((write) => (rotating.has(write.model) ? { ...write, takesOverUid: true } : write));
  return written.length + kept.length + audits.length > 0
    ? { writes: written, destroy: kept, audits }
    : undefined;
}

/**
 * Writes what waits alone (before a read or write that must see it done, and when the request
 * ends); undefined, without a promise, when nothing waits.
 *
 * @example
 * await flushPendingWrites();
 */
export function flushPendingWrites(): Promise<void> | undefined {
  const store = requestStore.get();
  if (!store?.flush) return undefined;
  const { writes, destroy, audits } = store.pending;
  if (writes.length + destroy.length + audits.length === 0) return undefined;
  const pending = takePendingWrites();
  return pending ? store.flush(pending.writes, pending) : undefined;
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
  const reads = READ_ONCE.has(model) ? requestStore.get()?.reads : undefined;
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
  const reads = requestStore.get()?.reads;
  if (!reads) return;
  if (model === undefined || id === undefined) reads.clear();
  else {
    reads.delete(`${model}\u0000${id}`);
    // What was read by uid may be this one: forgotten too.
    const byUid = `${model}${BY_UID}\u0000`;
    for (const key of reads.keys()) if (key.startsWith(byUid)) reads.delete(key);
  }
}
