/**
 * Where throttle counters live. The default keeps them in process; several replicas of an API
 * need a shared store (Redis `INCR` + `PEXPIRE`, a PostgreSQL upsert) or each replica allows the
 * full rate. Keys never contain a token: they are built from the throttle scope, the client id,
 * subject or address, and the window number.
 *
 * @example
 * const store: ThrottleStore = {
 *   increment: async (key, ttlMs) => {
 *     const count = await redis.incr(key);
 *     if (count === 1) await redis.pexpire(key, ttlMs);
 *     return count;
 *   },
 *   get: async (key) => Number(await redis.get(key) ?? 0),
 * };
 */
export interface ThrottleStore {
  /**
   * Adds one to the counter `key` and returns its new value; a missing (or expired) counter
   * starts at 0 and lives `ttlMs` from its creation. Must be atomic.
   */
  increment(key: string, ttlMs: number): number | Promise<number>;
  /** The counter's value; 0 when it is missing or expired. */
  get(key: string): number | Promise<number>;
}
