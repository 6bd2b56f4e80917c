import { hash } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { fail, optionalObject, rejectUnknownKeys } from '../config/option-checks.ts';
import { RateLimitedError, TemporarilyUnavailableError } from '../errors.ts';
import { sendError } from '../http/send-error.ts';
import { getRealm } from '../middleware/realm-state.ts';
import type { OptionalAuthState } from '../types.ts';
import { createMemoryThrottleStore } from './create-memory-throttle-store.ts';
import { parseRate } from './parse-rate.ts';
import type { ThrottleStore } from './throttle-store.ts';

/** Options of {@link throttle}. */
export interface ThrottleOptions {
  /** Most requests per period, DRF-style: `'100/min'`, `'10/s'`, `'5/15min'`, `'1000/day'`. */
  rate: string;
  /**
   * Whose requests are counted together: `'client'` (the token's `client_id`, like
   * django-oauth-toolkit's per-client throttle), `'subject'` (its `sub`), or a function of the
   * request returning a key (`undefined`: not throttled). With `'client'` or `'subject'`,
   * requests without a token (optional authentication) are counted per address (`ctx.ip`, which
   * honours `X-Forwarded-For` only when the Koa app has `proxy` set).
   */
  by: 'client' | 'subject' | ((ctx: Context) => string | undefined);
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
   * failure is emitted on the Koa app's `error` event. A store answering something else than a
   * count is a bug, not an outage: that fails the request (500) whatever this says.
   */
  onStoreError?: 'allow' | 'refuse';
  /** Clock in milliseconds [`Date.now`]; for tests. */
  now?: () => number;
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

function keyFunction(by: unknown): (ctx: Context) => string | undefined {
  if (typeof by === 'function') {
    const custom = by as (ctx: Context) => string | undefined;
    return (ctx) => {
      const key = custom(ctx);
      if (key === undefined) return undefined;
      if (typeof key !== 'string')
        throw new TypeError('a throttle key function returned a non-string');
      return `custom:${key.length > maxKeyLength ? hash('sha256', key, 'base64url') : key}`;
    };
  }
  if (by !== 'client' && by !== 'subject') {
    fail('throttle.by', 'must be "client", "subject" or a function of the request');
  }
  return (ctx) => {
    if (getRealm(ctx.state) === undefined) {
      throw new Error(`throttle({ by: '${by}' }) needs rs.authenticate() earlier in the chain`);
    }
    const auth = (ctx.state as OptionalAuthState).auth;
    if (auth === undefined) return `address:${ctx.ip}`;
    return by === 'client' ? `client:${auth.clientId}` : `subject:${auth.subject}`;
  };
}

/**
 * Koa middleware that limits how often one client, subject or custom key may call, like DRF's
 * `ScopedRateThrottle` and django-oauth-toolkit's per-client throttle. Over the limit it answers
 * 429 with `Retry-After` (seconds) and `{"error":"rate_limited","error_description":...}`, and
 * does not call `next`; refused requests are not counted, so a client that keeps retrying gets
 * its full rate again as the window moves. Mount it after `rs.authenticate()`. Keys are never
 * derived from the token itself (a client with many tokens is still one client). Options are
 * validated here; a failing store is met as `onStoreError` says.
 *
 * @example
 * router.post('/notes', rs.authenticate(), throttle({ rate: '10/min', by: 'subject' }), createNote);
 */
export function throttle(options: ThrottleOptions): Middleware<OptionalAuthState> {
  // Validated as untrusted input: a typo or a missing option fails at start-up, by name.
  rejectUnknownKeys(optionalObject('throttle', options), optionKeys, 'throttle.');
  options ??= {} as ThrottleOptions;
  const { limit, windowMs } = parseRate('throttle.rate', options.rate);
  const identify = keyFunction(options.by);
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
    return new RateLimitedError(
      Math.max(1, Math.ceil(waitMs(counts, limit, windowMs, sliding) / 1000)),
    );
  }

  return async function throttleMiddleware(ctx, next) {
    const id = identify(ctx);
    if (id === undefined) return next();
    let refusal: RateLimitedError | TemporarilyUnavailableError | undefined;
    try {
      refusal = await check(id);
    } catch (error) {
      if (!(error instanceof ThrottleStoreError)) throw error;
      if (refuseOnStoreError) {
        refusal = new TemporarilyUnavailableError(
          storeRetryAfterSeconds,
          { cause: error },
          'the request cannot be counted now: retry after the number of seconds in Retry-After',
        );
      } else {
        // Fail open, but never silently: the host's logging sees the outage.
        ctx.app.emit('error', error, ctx);
      }
    }
    if (refusal !== undefined) return sendError(ctx, refusal, getRealm(ctx.state) ?? '');
    await next();
  };
}
