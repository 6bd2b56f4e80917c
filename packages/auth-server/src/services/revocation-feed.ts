import {
  createResourcesRepository,
  createRevocationsRepository,
  type Database,
  type RevocationPage,
} from '@portcullis/storage';
import type { ClientRegistry } from '../registry/client-registry.ts';

/** The longest a feed request waits for something new, in seconds. */
export const FEED_MAX_WAIT_SECONDS = 30;
/** How long a feed request waits when it does not say, in seconds. */
export const FEED_DEFAULT_WAIT_SECONDS = 20;
/** The most entries one answer carries. */
export const FEED_MAX_LIMIT = 1000;
/** How many entries one answer carries when the request does not say. */
export const FEED_DEFAULT_LIMIT = 500;

// A waiting request reads the feed again at least this often, in case a notification was lost
// (the listening connection dropped and came back: onConnected wakes everyone too).
const RECHECK_MS = 5000;

/** What a feed request asks: see {@link RevocationFeed.read}. */
export interface FeedRequest {
  /** The cursor of the previous answer; undefined for a first request (a snapshot). */
  after: bigint | undefined;
  /** Seconds to wait for an entry when there is none yet, 0 to answer at once. */
  waitSeconds: number;
  /** The most entries to return. */
  limit: number;
}

/** The revocation feed as the route serves it. */
export interface RevocationFeed {
  /**
   * The client id when `clientId` and `secret` authenticate a client that some resource names as
   * its introspection client (the API speaking for itself); `'unauthenticated'` for a wrong id
   * or secret, and `'not_a_resource'` for a client that is no resource's introspection client.
   */
  authenticate(
    clientId: string,
    secret: string,
  ): Promise<{ clientId: string } | 'unauthenticated' | 'not_a_resource'>;
  /**
   * The entries after the cursor. When there are none, waits up to `waitSeconds` for a
   * revocation to commit (woken by LISTEN/NOTIFY through {@link RevocationFeed.wake}, and
   * checking again every 5 s), then answers what there is, possibly nothing.
   */
  read(request: FeedRequest): Promise<RevocationPage>;
  /** Wakes every waiting request (a revocation committed, or the listener reconnected). */
  wake(): void;
  /** Ends every wait at once (shutdown): waiting requests answer what they have. */
  close(): void;
}

/**
 * The revocation feed: long polling over the `revocations` table. Every answer reads PostgreSQL,
 * so any replica serves any cursor, before or after a restart; a request costs one bounded page
 * read, plus one more per wake-up while it waits.
 *
 * @example
 * const feed = createRevocationFeed({ db, clients });
 * listenForChanges(url, { onChange: (c) => c.kind === 'revocation' && feed.wake() });
 * const page = await feed.read({ after: 41n, waitSeconds: 20, limit: 500 });
 */
export function createRevocationFeed(deps: { db: Database; clients: ClientRegistry }) {
  const revocations = createRevocationsRepository(deps.db);
  const resources = createResourcesRepository(deps.db);
  const waiting = new Set<() => void>();
  let closed = false;
  // Bumped by every wake-up: a read that saw it change while it queried reads again at once
  // instead of sleeping through the notification it just missed.
  let generation = 0;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiting.add(done);
    });

  const feed: RevocationFeed = {
    async authenticate(clientId, secret) {
      if (!(await deps.clients.authenticate(clientId, secret))) return 'unauthenticated';
      const speaksFor = await resources.introspectedBy(clientId);
      return speaksFor.length > 0 ? { clientId } : 'not_a_resource';
    },

    async read(request) {
      const deadline = Date.now() + request.waitSeconds * 1000;
      for (;;) {
        const seen = generation;
        const page = await revocations.page(request.after, request.limit);
        const left = deadline - Date.now();
        if (page.entries.length > 0 || page.reset || page.more || left <= 0 || closed) return page;
        // Expired rows moved the cursor: continue from there.
        request = { ...request, after: BigInt(page.cursor) };
        if (seen === generation) await sleep(Math.min(left, RECHECK_MS));
      }
    },

    wake() {
      generation += 1;
      for (const done of [...waiting]) done();
    },

    close() {
      closed = true;
      feed.wake();
    },
  };
  return feed;
}
