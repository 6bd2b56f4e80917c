import pg from 'pg';
import type { Database } from './database.ts';

const CHANNEL = 'portcullis_changes';

/**
 * What changed: servers drop their cached copy of that entity. `logout`: logout notices wait to
 * be sent (repositories/logout-notices-repository.ts); `id` is the user's. `revocation`: the
 * revocation feed's waiting requests wake; `id` is the new row's `seq`. `identity_provider`: the
 * login page's list of providers is read again.
 */
export interface Change {
  kind: 'client' | 'resource' | 'key' | 'logout' | 'revocation' | 'identity_provider';
  id: string;
}

const KINDS: ReadonlySet<string> = new Set([
  'client',
  'resource',
  'key',
  'logout',
  'revocation',
  'identity_provider',
]);

/**
 * Tells every listening process that `change` happened. Inside a transaction PostgreSQL delivers
 * the notification only on commit, so a rolled-back write never invalidates anything.
 */
export async function notifyChange(db: Database, change: Change): Promise<void> {
  await db.raw('select pg_notify(?, ?)', [CHANNEL, JSON.stringify(change)]);
}

/** Options for {@link listenForChanges}. */
export interface ListenOptions {
  /** Called with each change another process (or this one) announced. */
  onChange(change: Change): void;
  /**
   * Called after the listening connection was (re)established. Notifications sent while it was
   * down are lost, so callers clear their caches here.
   */
  onConnected?(): void;
  /** Called when the connection fails; the listener keeps retrying by itself. */
  onError?(error: Error): void;
  /** Delay before a reconnection attempt, in ms [1000]. */
  retryDelayMs?: number;
  /**
   * How often the connection is pinged while it listens, in ms [15000]. A connection that dies
   * without closing (a network partition, a frozen host, a firewall dropping idle flows) raises
   * no error: without pings it would look connected while every notification is lost.
   */
  heartbeatMs?: number;
  /** How long a ping may take before the connection is given up and replaced, in ms [5000]. */
  heartbeatTimeoutMs?: number;
}

/** A running listener; `close()` stops it for good. */
export interface ChangeListener {
  readonly connected: boolean;
  close(): Promise<void>;
}

/**
 * Listens on the change channel with a dedicated connection (pooled connections cannot LISTEN),
 * reconnecting until closed. The connection is pinged every `heartbeatMs`; one that does not
 * answer within `heartbeatTimeoutMs` is dropped and replaced (and `onConnected` runs again once
 * the new one listens), so a silently dead connection costs at most their sum.
 */
export function listenForChanges(url: string, options: ListenOptions): ChangeListener {
  let client: pg.Client | undefined;
  let closed = false;
  let connected = false;
  let timer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  const retryDelay = options.retryDelayMs ?? 1000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 5000;

  const scheduleReconnect = () => {
    connected = false;
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = undefined;
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, retryDelay);
    timer.unref();
  };

  // Gives up `dead` (if it is still the current connection) and starts over.
  const drop = (dead: pg.Client, error: Error) => {
    if (client !== dead) return;
    client = undefined;
    options.onError?.(error);
    destroy(dead);
    scheduleReconnect();
  };

  // One ping at a time: while one waits, its deadline decides.
  let pinging = false;
  const ping = (current: pg.Client) => {
    if (pinging) return;
    pinging = true;
    let answered = false;
    const deadline = setTimeout(() => {
      pinging = false;
      if (!answered) {
        drop(
          current,
          new Error(
            `the listening connection did not answer a ping within ${heartbeatTimeoutMs} ms`,
          ),
        );
      }
    }, heartbeatTimeoutMs);
    deadline.unref();
    current.query('select 1').then(
      () => {
        answered = true;
        pinging = false;
        clearTimeout(deadline);
      },
      (error: Error) => {
        answered = true;
        pinging = false;
        clearTimeout(deadline);
        drop(current, error);
      },
    );
  };

  const connect = async () => {
    const next = new pg.Client({
      connectionString: url,
      application_name: 'portcullis-listener',
      keepAlive: true,
      // Connecting and LISTEN are bounded like a ping: a frozen peer must not hold them forever.
      connectionTimeoutMillis: heartbeatTimeoutMs,
      query_timeout: heartbeatTimeoutMs,
    });
    client = next;
    // Events of a connection already given up (a late error or end) change nothing.
    next.on('error', (error) => drop(next, error));
    // While it connects, the attempt's own failure below reports the end (pg emits `end` before
    // it rejects `connect()`, so handling it here too would swallow that report).
    next.on('end', () => {
      if (client === next && connected) {
        client = undefined;
        scheduleReconnect();
      }
    });
    next.on('notification', (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      const change = parseChange(message.payload);
      if (change) options.onChange(change);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANNEL}`);
      if (closed) {
        await next.end();
        return;
      }
      if (client !== next) return;
      connected = true;
      pinging = false;
      heartbeat = setInterval(() => ping(next), heartbeatMs);
      heartbeat.unref();
      options.onConnected?.();
    } catch (error) {
      drop(next, error as Error);
    }
  };

  void connect();

  return {
    get connected() {
      return connected;
    },
    async close() {
      closed = true;
      connected = false;
      if (timer) clearTimeout(timer);
      if (heartbeat) clearInterval(heartbeat);
      const current = client;
      client = undefined;
      if (!current) return;
      // A polite goodbye, but never a wait on a connection that no longer answers.
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([
        current.end().catch(() => {}),
        new Promise((resolve) => {
          bound = setTimeout(resolve, heartbeatTimeoutMs);
        }),
      ]);
      clearTimeout(bound);
      destroy(current);
    },
  };
}

// Closes a connection's socket at once: `end()` waits for a goodbye that a dead peer never sends.
function destroy(connection: pg.Client): void {
  (
    connection as unknown as { connection?: { stream?: { destroy(): void } } }
  ).connection?.stream?.destroy();
  void connection.end().catch(() => {});
}

function parseChange(payload: string): Change | undefined {
  try {
    const value = JSON.parse(payload) as Partial<Change>;
    if (typeof value.kind === 'string' && KINDS.has(value.kind) && typeof value.id === 'string') {
      return { kind: value.kind, id: value.id };
    }
  } catch {
    // A payload we did not write: ignore it rather than crash the listener.
  }
  return undefined;
}
