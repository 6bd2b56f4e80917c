import type { ResolvedOptions } from '../config/resolve-options.ts';
import { InvalidTokenError, TemporarilyUnavailableError } from '../errors.ts';
import { discoverEndpoint } from '../http/discover-endpoint.ts';
import type { AuthContext } from '../types.ts';
import { readFeedPage } from './read-feed-page.ts';
import type { ResolvedRevocationFeed } from './resolve-revocation-options.ts';
import { createRevocationSet } from './revocation-set.ts';

/** Where the subscriber stands, for health checks and tests. */
export interface RevocationFeedState {
  /** Revocations held in memory (at most `maxEntries`). */
  readonly entries: number;
  /** The feed's cursor, undefined before the first answer. */
  readonly cursor: string | undefined;
  /**
   * `following`: the last request succeeded; `grace`: the feed cannot be reached but tokens are
   * still accepted; `unavailable`: tokens are answered 503 (grace over, or never reached).
   */
  readonly status: 'following' | 'grace' | 'unavailable';
}

/** Follows the revocation feed and judges tokens by it. */
export interface RevocationSubscriber {
  /**
   * Without waiting: `'revoked'`, `'accepted'`, or `'unknown'` when the verdict needs a wait or
   * is a 503 (then call {@link RevocationSubscriber.check}).
   */
  judge(auth: AuthContext): 'revoked' | 'accepted' | 'unknown';
  /** Resolves when the token is not revoked; rejects with `InvalidTokenError` or a 503. */
  check(auth: AuthContext): Promise<void>;
  state(): RevocationFeedState;
  /** Stops following (the request in flight is aborted). */
  close(): Promise<void>;
}

const RETRY_MS = 1000;
const SWEEP_MS = 10_000;

/**
 * Starts following the issuer's revocation feed at once: long-polling requests one after the
 * other, each answered as soon as something is revoked, applied to a bounded in-memory set
 * (revocation/revocation-set.ts). A failed request is retried every second. Tokens named by a
 * held revocation are refused with 401 `invalid_token`. While the feed cannot be reached, tokens
 * are judged by what is held for `graceMs`, then answered 503 until it answers again; a hung
 * request counts as failed after `waitSeconds` + the JWKS timeout. Before the feed first
 * answered nothing is known: a request waits for that answer (up to the JWKS timeout), or gets
 * 503 at once if the feed already failed.
 *
 * @example
 * const subscriber = createRevocationSubscriber(config, config.revocationFeed);
 * await subscriber.check(auth); // throws InvalidTokenError for a revoked token
 */
export function createRevocationSubscriber(
  config: ResolvedOptions,
  options: ResolvedRevocationFeed,
): RevocationSubscriber {
  const set = createRevocationSet(options.maxEntries);
  const seconds = () => Math.floor(config.now() / 1000);
  let cursor: string | undefined;
  let synced = false;
  let failingSince: number | undefined;
  let closed = false;
  let lastSweep = config.now();
  const stop = new AbortController();
  let endpoint: URL | undefined = options.endpoint;
  // Settled by the first request's outcome: what a request waits for before anything is known.
  let settleFirst: () => void = () => {};
  const firstAnswer = new Promise<void>((resolve) => {
    settleFirst = resolve;
  });

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stop.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      stop.signal.addEventListener('abort', done, { once: true });
    });

  const status = (): RevocationFeedState['status'] => {
    if (!synced) return 'unavailable';
    if (failingSince === undefined) return 'following';
    return config.now() - failingSince > options.graceMs ? 'unavailable' : 'grace';
  };

  async function follow(): Promise<void> {
    while (!closed) {
      try {
        endpoint ??= await discoverEndpoint(
          config.issuer,
          'revocation_feed_endpoint',
          config.jwks.timeoutMs,
        );
        const timeout = AbortSignal.timeout(options.waitSeconds * 1000 + config.jwks.timeoutMs);
        const page = await readFeedPage({
          endpoint,
          cursor,
          waitSeconds: options.waitSeconds,
          clientId: options.clientId,
          clientSecret: options.clientSecret,
          signal: AbortSignal.any([stop.signal, timeout]),
        });
        if (page.reset) set.clear();
        set.add(page.entries, seconds());
        cursor = page.cursor;
        synced = true;
        failingSince = undefined;
        settleFirst();
        if (config.now() - lastSweep > SWEEP_MS) {
          lastSweep = config.now();
          set.sweep(seconds());
        }
      } catch {
        if (closed) return;
        failingSince ??= config.now();
        settleFirst();
        await sleep(RETRY_MS);
      }
    }
  }
  void follow();

  const unavailable = () => new TemporarilyUnavailableError(5);

  const subscriber: RevocationSubscriber = {
    judge(auth) {
      if (status() === 'unavailable') return 'unknown';
      return set.refuses(auth.claims, seconds()) ? 'revoked' : 'accepted';
    },

    async check(auth) {
      if (!synced && failingSince === undefined) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          firstAnswer,
          new Promise((resolve) => {
            timer = setTimeout(resolve, config.jwks.timeoutMs);
          }),
        ]);
        clearTimeout(timer);
      }
      const verdict = subscriber.judge(auth);
      if (verdict === 'revoked') throw new InvalidTokenError('the access token was revoked');
      if (verdict === 'unknown') throw unavailable();
    },

    state() {
      return { entries: set.size, cursor, status: status() };
    },

    async close() {
      closed = true;
      stop.abort();
    },
  };
  return subscriber;
}
