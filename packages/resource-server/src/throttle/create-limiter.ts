import { hash } from 'node:crypto';
import { fail, optionalObject, rejectUnknownKeys } from '../config/option-checks.ts';
import { RateLimitedError, TemporarilyUnavailableError } from '../errors.ts';
import type { AuthContext } from '../types.ts';
import { createMemoryThrottleStore } from './create-memory-throttle-store.ts';
import { parseRate } from './parse-rate.ts';
import type { ThrottleStore } from './throttle-store.ts';

/**
 * Options of every adapter's `throttle()`; `R` is what the adapter calls a request (Koa's
 * `ctx`, Express's `req`, ...).
 */
export interface LimiterOptions<R> {
  /** Most requests per period, DRF-style: `'100/min'`, `'10/s'`, `'5/15min'`, `'1000/day'`. */
  rate: string;
  /**
   * Whose requests are counted together: `'client'` (the token's `client_id`, like
   * django-oauth-toolkit's per-client throttle), `'subject'` (its `sub`), or a function of the
   * request returning a key (`undefined`: not throttled). With `'client'` or `'subject'`,
   * requests without a token (optional authentication) are counted per address (the
   * framework's client address: Koa's `ctx.ip`, Express's `req.ip`, Fastify's `request.ip`,
   * which honour `X-Forwarded-For` only when the app is told it runs behind a proxy).
   */
  by: 'client' | 'subject' | ((request: R) => string | undefined);
  /**
   * Name of the bucket, like DRF's `throttle_scope` [`<by>:<rate>`]: throttles with the same
   * scope and store share counters; give routes distinct scopes to count them apart.
   */
  scope?: string;
  /**
   * `'sliding'` [default] weighs the previous window by how much of it still overlaps the last
   * period, so a burst at a window boundary cannot double the rate; `'fixed'` resets counters at
   * each window boundary.
   */
  window?: 'fixed' | 'sliding';
  /** Where counters live [a bounded in-process store]; share one across replicas. */
  store?: ThrottleStore;
  /**
   * What to do when the store fails (throws, rejects, times out): `'allow'` [default] lets the
   * request through uncounted (fail open: the token was still verified, and a cache outage does
   * not become an API outage); `'refuse'` answers 503 `temporarily_unavailable` with
   * `Retry-After` (fail closed, for throttles that guard something costly). Either way the
   * failure is reported to the host (Koa: the app's `error` event; Express: `next`-free, the
   * adapter's report; see each guide). A store answering something else than a count is a bug,
   * not an outage: that fails the request (500) whatever this says.
   */
  onStoreError?: 'allow' | 'refuse';
  /** Clock in milliseconds [`Date.now`]; for tests. */
  now?: () => number;
}

/** What a throttle's key function sees of the authentication before it. */
export interface ThrottleSubject {
  /** Whether `authenticate()` ran for this request. */
  readonly authenticated: boolean;
  /** The verified token, undefined without one (optional authentication). */
  readonly auth: AuthContext | undefined;
  /** The client's address, read only when a request without a token is counted. */
  address(): string;
}

/** One throttle, whatever framework runs it. */
export interface Limiter<R> {
  /** The counter key of a request, or undefined when it is not throttled. */
  identify(request: R, subject: ThrottleSubject): string | undefined;
  /**
   * Counts one request of `id`: undefined to go on, or the refusal (429 over the rate, the
   * request then not counted; 503 when the store failed and `onStoreError` is `'refuse'`, the
   * failure as its cause). A failure let through (`'allow'`) is given to `reportOutage`.
   */
  hit(
    id: string,
    reportOutage: (error: Error) => void,
  ): Promise<RateLimitedError | TemporarilyUnavailableError | undefined>;
}

const optionKeys = new Set(['rate', 'by', 'scope', 'window', 'store', 'onStoreError', 'now']);
const scopePattern = /^[\x21-\x7e]{1,100}$/;
// Keys go into the store: a long custom key is stored as its digest.
const maxKeyLength = 200;

interface Counts {
  readonly previous: number;
  readonly current: number;
  readonly elapsed: number;
}

// Whether `count` requests in the current window plus the previous window's `previous`, weighed
// by the part of it still inside the last period, exceed `limit`: previous × (window − elapsed) /
// window + count > limit, compared in integers (floating point refused a request exactly at the
// limit), as BigInts since the products can pass 2^53.
function exceeds(
  previous: number,
  count: number,
  elapsed: number,
  limit: number,
  windowMs: number,
) {
  if (previous === 0) return count > limit;
  const window = BigInt(windowMs);
  return (
    BigInt(previous) * (window - BigInt(elapsed)) + BigInt(count) * window > BigInt(limit) * window
  );
}

// How long until one more request fits, assuming no other request arrives meanwhile.
function waitMs(counts: Counts, limit: number, windowMs: number, sliding: boolean): number {
  const { previous, current, elapsed } = counts;
  const toNextWindow = windowMs - elapsed;
  if (!sliding) return toNextWindow;
  const room = limit - 1 - current;
  if (room > 0 && previous > 0) {
    // previous × (window − e) ≤ room × window from this e of the current window on.
    const fitsAt = Math.ceil((windowMs * (previous - room)) / previous);
    return Math.max(fitsAt - elapsed, 0);
  }
  // In the next window this one is "previous", weighed down as that window goes on.
  const over = current - (limit - 1);
  const fitsInNext = over > 0 ? Math.ceil((windowMs * over) / current) : 0;
  return toNextWindow + fitsInNext;
}

// Seconds a client refused by a failing store (`onStoreError: 'refuse'`) is asked to wait.
const storeRetryAfterSeconds = 5;

/** A store that threw or rejected: an outage, handled by `onStoreError`. */
class ThrottleStoreError extends Error {
  constructor(method: string, cause: unknown) {
    super(`the throttle store's ${method}() failed`, { cause });
    this.name = 'ThrottleStoreError';
  }
}

// A store's answer, checked: a missing counter read as `undefined` (or a string from Redis)
// would otherwise compare as never over the limit, and let every request through.
async function countFrom(call: () => number | Promise<number>, method: string, min: number) {
  let count: number;
  try {
    count = await call();
  } catch (error) {
    throw new ThrottleStoreError(method, error);
  }
  if (!Number.isSafeInteger(count) || count < min) {
    throw new TypeError(
      `the throttle store's ${method}() must return an integer of at least ${min}`,
    );
  }
  return count;
}

function keyFunction<R>(by: unknown): Limiter<R>['identify'] {
  if (typeof by === 'function') {
    const custom = by as (request: R) => string | undefined;
    return (request) => {
      const key = custom(request);
      if (key === undefined) return undefined;
      if (typeof key !== 'string')
        throw new TypeError('a throttle key function returned a non-string');
      return `custom:${key.length > maxKeyLength ? hash('sha256', key, 'base64url') : key}`;
    };
  }
  if (by !== 'client' && by !== 'subject') {
    fail('throttle.by', 'must be "client", "subject" or a function of the request');
  }
  return (_request, subject) => {
    if (!subject.authenticated) {
      throw new Error(`throttle({ by: '${by}' }) needs rs.authenticate() earlier in the chain`);
    }
    const { auth } = subject;
    if (auth === undefined) return `address:${subject.address()}`;
    return by === 'client' ? `client:${auth.clientId}` : `subject:${auth.subject}`;
  };
}

/**
 * Validates a throttle's options (a `ResourceServerConfigError` names the bad key) and builds
 * its counting: a sliding or fixed window per key in `store`. Over the limit, `hit` gives a
 * `RateLimitedError` whose `retryAfterSeconds` says when one more request fits; refused requests
 * are not counted. Keys are never derived from the token itself.
 *
 * @example
 * const limiter = createLimiter<Request>({ rate: '10/min', by: 'subject' });
 */
export function createLimiter<R>(options: LimiterOptions<R>): Limiter<R> {
  // Validated as untrusted input: a typo or a missing option fails at start-up, by name.
  rejectUnknownKeys(optionalObject('throttle', options), optionKeys, 'throttle.');
  options ??= {} as LimiterOptions<R>;
  const { limit, windowMs } = parseRate('throttle.rate', options.rate);
  const identify = keyFunction<R>(options.by);
  if (options.window !== undefined && options.window !== 'fixed' && options.window !== 'sliding') {
    fail('throttle.window', 'must be "fixed" or "sliding"');
  }
  const sliding = options.window !== 'fixed';
  if (
    options.scope !== undefined &&
    (typeof options.scope !== 'string' || !scopePattern.test(options.scope))
  ) {
    fail('throttle.scope', 'must be 1 to 100 printable ASCII characters without spaces');
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    fail('throttle.now', 'must be a function');
  }
  const now = options.now ?? Date.now;
  const { store: given } = options;
  if (
    given !== undefined &&
    (typeof given !== 'object' ||
      given === null ||
      typeof given.increment !== 'function' ||
      typeof given.get !== 'function')
  ) {
    fail('throttle.store', 'must be an object with increment and get functions');
  }
  const store = given ?? createMemoryThrottleStore({ now });
  const { onStoreError } = options;
  if (onStoreError !== undefined && onStoreError !== 'allow' && onStoreError !== 'refuse') {
    fail('throttle.onStoreError', 'must be "allow" or "refuse"');
  }
  const refuseOnStoreError = onStoreError === 'refuse';
  const kind = typeof options.by === 'function' ? 'custom' : options.by;
  const prefix = `throttle:${options.scope ?? `${kind}:${limit}/${windowMs}ms`}:`;

  // The store's verdict on one more request for `id`: the refusal, or undefined to go on.
  async function check(id: string): Promise<RateLimitedError | undefined> {
    // Whole milliseconds, so the window arithmetic below is exact.
    const at = Math.floor(now());
    if (!Number.isFinite(at)) throw new TypeError('the throttle clock returned a non-finite time');
    const index = Math.floor(at / windowMs);
    const elapsed = at - index * windowMs;
    const base = `${prefix}${id}:`;
    const currentKey = `${base}${index}`;
    const previous = sliding
      ? await countFrom(() => store.get(`${base}${index - 1}`), 'get', 0)
      : 0;
    const current = await countFrom(() => store.get(currentKey), 'get', 0);
    let over = exceeds(previous, current + 1, elapsed, limit, windowMs);
    let counts: Counts = { previous, current, elapsed };
    if (!over) {
      // A sliding counter must outlive the next window, where it is the "previous" one.
      const ttlMs = windowMs - elapsed + (sliding ? windowMs : 0);
      const count = await countFrom(() => store.increment(currentKey, ttlMs), 'increment', 1);
      // Concurrent requests (or replicas) may have filled the window since the read.
      over = exceeds(previous, count, elapsed, limit, windowMs);
      counts = { previous, current: count - 1, elapsed };
    }
    if (!over) return undefined;
    const seconds = Math.max(1, Math.ceil(waitMs(counts, limit, windowMs, sliding) / 1000));
    return new RateLimitedError(seconds);
  }

  return {
    identify,
    async hit(id, reportOutage) {
      try {
        return await check(id);
      } catch (error) {
        if (!(error instanceof ThrottleStoreError)) throw error;
        if (refuseOnStoreError) {
          return new TemporarilyUnavailableError(
            storeRetryAfterSeconds,
            { cause: error },
            'the request cannot be counted now: retry after the number of seconds in Retry-After',
          );
        }
        // Fail open, but never silently: the host's logging sees the outage.
        reportOutage(error);
        return undefined;
      }
    },
  };
}
