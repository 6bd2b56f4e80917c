import type { KeysRepository, SigningKeyRecord } from '@portcullis/storage';
import { KEY_CHECK_INTERVAL_MS, RETIREMENT_POLICY } from './rotation-policy.ts';
import { ensureActiveKeys, type PrivateJwk, providerKeySet } from './signing-keys.ts';

/** What {@link createKeyWatcher} needs. */
export interface KeyWatcherOptions {
  keys: KeysRepository;
  /** Decrypts the stored private keys. */
  keyEncryptionKey: Buffer;
  /** Called with the new key set (as {@link providerKeySet} orders it) whenever it changed. */
  onKeys(jwks: PrivateJwk[]): void;
  /** Called when reading or changing the keys failed; the watcher retries by itself. */
  onError(error: unknown): void;
  /** Longest wait between two looks at the schedule, in ms [60000]. */
  checkIntervalMs?: number;
}

/** A running watcher; see {@link createKeyWatcher}. */
export interface KeyWatcher {
  /** Creates the first keys if needed, completes due steps, and returns the key set to serve. */
  start(): Promise<PrivateJwk[]>;
  /** Looks again now (after a change notification, or a reconnection). */
  refresh(): Promise<void>;
  /** Stops the timer. */
  close(): void;
}

const RETRY_MS = 5000;
const MIN_DELAY_MS = 100;

const isDue = (key: SigningKeyRecord, now: Date) =>
  (key.state === 'next' && key.activatesAt !== null && key.activatesAt <= now) ||
  (key.state === 'retired' && key.removesAt !== null && key.removesAt <= now);

const dueAt = (key: SigningKeyRecord) =>
  key.state === 'next' ? key.activatesAt : key.state === 'retired' ? key.removesAt : null;

const fingerprint = (keys: readonly SigningKeyRecord[]) =>
  keys
    .map((key) => `${key.kid}:${key.state}`)
    .sort()
    .join(',');

/**
 * Keeps one server's signing keys in step with the database, where `keys rotate` and the other
 * replicas change them. It reads the keys when told something changed (`refresh`, on a
 * notification) and sets a timer for the next scheduled step (a staged key's activation, a
 * retired key's removal), when it performs that step itself: every replica races for it, the
 * database lock lets one win and the others then read its result. Times come from the
 * database's clock, so replicas with skewed clocks agree. The timer also fires at least every
 * `checkIntervalMs`, in case a notification was lost.
 *
 * @example
 * const watcher = createKeyWatcher({ keys, keyEncryptionKey, onKeys: swap, onError: log });
 * const jwks = await watcher.start();
 * listenForChanges(url, { onChange: (c) => c.kind === 'key' && void watcher.refresh() });
 */
export function createKeyWatcher(options: KeyWatcherOptions): KeyWatcher {
  const { keys, keyEncryptionKey } = options;
  const checkIntervalMs = options.checkIntervalMs ?? KEY_CHECK_INTERVAL_MS;
  let served = '';
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let running: Promise<void> | undefined;
  let again = false;

  const schedule = (delayMs: number) => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(
      () => void refresh(),
      Math.max(MIN_DELAY_MS, Math.min(delayMs, checkIntervalMs)),
    );
    timer.unref();
  };

  /** Reads the keys (performing due steps first) and schedules the next look. */
  async function read(): Promise<{ print: string; jwks: () => PrivateJwk[] }> {
    let snapshot = await keys.snapshot();
    if (snapshot.keys.some((key) => isDue(key, snapshot.now))) {
      await keys.advance(RETIREMENT_POLICY);
      snapshot = await keys.snapshot();
    }
    const { keys: published, now } = snapshot;
    const next = Math.min(
      ...published.map((key) => dueAt(key)?.getTime() ?? Number.POSITIVE_INFINITY),
    );
    // A little after the step is due, so that the database's clock has certainly passed it.
    schedule(next - now.getTime() + 50);
    return {
      print: fingerprint(published),
      jwks: () => providerKeySet(published, keyEncryptionKey),
    };
  }

  function close(): void {
    closed = true;
    clearTimeout(timer);
  }

  async function refresh(): Promise<void> {
    if (closed) return;
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          const { print, jwks } = await read();
          if (print !== served) {
            options.onKeys(jwks());
            served = print;
          }
        } catch (error) {
          options.onError(error);
          schedule(RETRY_MS);
        }
      } while (again && !closed);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    async start() {
      try {
        await ensureActiveKeys(keys, keyEncryptionKey);
        const { print, jwks } = await read();
        const set = jwks();
        served = print;
        return set;
      } catch (error) {
        close();
        throw error;
      }
    },
    refresh,
    close,
  };
}
