import { hash } from 'node:crypto';
import {
  fail,
  integerInRange,
  optionalObject,
  rejectUnknownKeys,
} from '../config/option-checks.ts';
import type { ThrottleStore } from './throttle-store.ts';
import { withinTimeout } from './within-timeout.ts';

/**
 * What the Redis store needs of a client: the commands of an `ioredis` `Redis` or `Cluster`
 * (6.x), which satisfy it as they are. Structural, so this package never loads `ioredis` itself.
 */
export interface RedisThrottleClient {
  evalsha(sha1: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  get(key: string): Promise<string | null>;
}

/** Options of {@link createRedisThrottleStore}. */
export interface RedisThrottleStoreOptions {
  /** A connected (or connecting) `ioredis` client; the store never closes it. */
  client: RedisThrottleClient;
  /** Prepended to every key [`'portcullis:'`]: 0 to 100 printable ASCII characters. */
  prefix?: string;
  /**
   * Milliseconds a command may take [1000], 1 to 60000; past it the call fails and the throttle's
   * `onStoreError` decides. `ioredis` queues commands while it reconnects, so without a bound an
   * outage would hold every request.
   */
  timeoutMs?: number;
}

const optionKeys = new Set(['client', 'prefix', 'timeoutMs']);
const prefixPattern = /^[\x21-\x7e]{0,100}$/;

// One round trip, atomic in Redis: the counter and its expiry are set together, so no replica
// ever sees a counter without a TTL (INCR then PEXPIRE from the client could leave one forever
// if the process died between them).
const incrementScript = `
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return count`;
const incrementSha = hash('sha1', incrementScript, 'hex');

function isClient(value: unknown): value is RedisThrottleClient {
  if (typeof value !== 'object' || value === null) return false;
  const { evalsha, eval: evaluate, get } = value as Record<string, unknown>;
  return [evalsha, evaluate, get].every((method) => typeof method === 'function');
}

const isNoScript = (error: unknown) =>
  error instanceof Error && error.message.startsWith('NOSCRIPT');

// Redis answers integers as numbers and GET as a string (or null): both become counts here,
// and anything else reaches the throttle's check, which fails the request rather than admit it.
function toCount(value: unknown): number {
  if (value === null) return 0;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  return value as number;
}

/**
 * Creates a throttle store in Redis, shared by every replica of an API (DRF keeps its throttle
 * counters in the shared cache the same way). Each increment is one Lua script (`INCR` and, on a
 * new counter, `PEXPIRE`), so concurrent requests on any number of replicas lose no count and
 * every counter expires. Install `ioredis` (6.x, an optional peer dependency) and pass a client.
 *
 * @example
 * import { Redis } from 'ioredis';
 * import { createRedisThrottleStore } from '@portcullis/resource-server/redis';
 * const store = createRedisThrottleStore({ client: new Redis(process.env.REDIS_URL) });
 * router.post('/notes', rs.authenticate(), throttle({ rate: '10/min', by: 'client', store }));
 */
export function createRedisThrottleStore(options: RedisThrottleStoreOptions): ThrottleStore {
  const given = optionalObject('createRedisThrottleStore', options);
  rejectUnknownKeys(given, optionKeys, 'createRedisThrottleStore.');
  if (!isClient(given.client)) {
    fail('createRedisThrottleStore.client', 'must be an ioredis client (eval, evalsha and get)');
  }
  const client: RedisThrottleClient = given.client;
  const prefix = given.prefix ?? 'portcullis:';
  if (typeof prefix !== 'string' || !prefixPattern.test(prefix)) {
    fail('createRedisThrottleStore.prefix', 'must be 0 to 100 printable ASCII characters');
  }
  const timeoutMs = integerInRange(
    'createRedisThrottleStore.timeoutMs',
    given.timeoutMs,
    1000,
    1,
    60_000,
  );
  const within = <T>(answer: Promise<T>) =>
    withinTimeout(answer, timeoutMs, 'the Redis throttle store');

  async function increment(key: string, ttlMs: number) {
    const args = [`${prefix}${key}`, Math.max(1, Math.ceil(ttlMs))] as const;
    try {
      return await client.evalsha(incrementSha, 1, ...args);
    } catch (error) {
      // The script cache is empty after a restart or SCRIPT FLUSH: send the script once.
      if (!isNoScript(error)) throw error;
      return client.eval(incrementScript, 1, ...args);
    }
  }

  return {
    increment: async (key, ttlMs) => toCount(await within(increment(key, ttlMs))),
    get: async (key) => toCount(await within(client.get(`${prefix}${key}`))),
  };
}
