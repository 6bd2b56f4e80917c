import pg from 'pg';
import type { Database } from './database.ts';

const CHANNEL = 'portcullis_changes';

/** What changed; servers drop their cached copy of that entity. */
export interface Change {
  kind: 'client' | 'resource' | 'key';
  id: string;
}

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
}

/** A running listener; `close()` stops it for good. */
export interface ChangeListener {
  readonly connected: boolean;
  close(): Promise<void>;
}

/**
 * Listens on the change channel with a dedicated connection (pooled connections cannot LISTEN),
 * reconnecting until closed.
 */
export function listenForChanges(url: string, options: ListenOptions): ChangeListener {
  let client: pg.Client | undefined;
  let closed = false;
  let connected = false;
  let timer: NodeJS.Timeout | undefined;
  const retryDelay = options.retryDelayMs ?? 1000;

  const scheduleReconnect = () => {
    connected = false;
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, retryDelay);
    timer.unref();
  };

  const connect = async () => {
    const next = new pg.Client({ connectionString: url, application_name: 'portcullis-listener' });
    client = next;
    next.on('error', (error) => {
      options.onError?.(error);
      void next.end().catch(() => {});
      scheduleReconnect();
    });
    next.on('end', scheduleReconnect);
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
      connected = true;
      options.onConnected?.();
    } catch (error) {
      options.onError?.(error as Error);
      void next.end().catch(() => {});
      scheduleReconnect();
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
      await client?.end().catch(() => {});
    },
  };
}

function parseChange(payload: string): Change | undefined {
  try {
    const value = JSON.parse(payload) as Partial<Change>;
    if (
      (value.kind === 'client' || value.kind === 'resource' || value.kind === 'key') &&
      typeof value.id === 'string'
    ) {
      return { kind: value.kind, id: value.id };
    }
  } catch {
    // A payload we did not write: ignore it rather than crash the listener.
  }
  return undefined;
}
