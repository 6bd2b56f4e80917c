import type { Server, ServerResponse } from 'node:http';

/** How a drained server ended. */
export interface DrainReport {
  /** Requests still unanswered when the grace period ran out, whose connections were cut. */
  cut: number;
}

/** A listening server whose requests are tracked, so that it can be drained. */
export interface DrainableServer {
  /** Requests being answered right now. */
  readonly inFlight: number;
  /**
   * Stops accepting connections at once, lets the requests in flight finish for up to
   * `graceMs`, then cuts whatever is left. Keep-alive connections are closed as soon as they
   * are idle, and every response from now on says `Connection: close`, so clients and load
   * balancers move on. Resolves once every connection is gone.
   */
  drain(graceMs: number): Promise<DrainReport>;
}

/**
 * Starts tracking the requests of `server` (call it right after `listen`), for a graceful
 * shutdown that neither drops a request in flight nor waits forever for one.
 *
 * @example
 * const drainable = trackRequests(server);
 * process.once('SIGTERM', async () => {
 *   const { cut } = await drainable.drain(10_000);
 * });
 */
export function trackRequests(server: Server): DrainableServer {
  const active = new Set<ServerResponse>();
  let draining = false;

  const closeWhenIdle = () => setImmediate(() => server.closeIdleConnections());
  server.on('request', (_request, response: ServerResponse) => {
    active.add(response);
    if (draining && !response.headersSent) response.setHeader('Connection', 'close');
    // 'close' comes once per response: after 'finish', or when the client went away first.
    response.on('close', () => {
      active.delete(response);
      if (draining) closeWhenIdle();
    });
  });

  return {
    get inFlight() {
      return active.size;
    },
    async drain(graceMs) {
      draining = true;
      for (const response of active) {
        if (!response.headersSent) response.setHeader('Connection', 'close');
      }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let cut = 0;
      const timer = setTimeout(() => {
        cut = active.size;
        server.closeAllConnections();
      }, graceMs);
      await closed;
      clearTimeout(timer);
      return { cut };
    },
  };
}
