/**
 * `answer`, or a rejection once `timeoutMs` have passed without one: a shared store that stopped
 * answering (a client queueing commands while it reconnects, a pool waiting for a connection)
 * must not hold requests. The late answer, if any, is ignored.
 *
 * @example
 * const count = await withinTimeout(redis.get(key), 1000, 'the Redis throttle store');
 */
export function withinTimeout<T>(answer: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  // The losing side must not become an unhandled rejection.
  answer.catch(() => undefined);
  return Promise.race([answer, timeout]).finally(() => clearTimeout(timer));
}
