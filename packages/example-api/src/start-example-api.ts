import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RevocationFeedState } from '@portcullis/resource-server';
import { createExampleApi, type ExampleApiOptions } from './create-example-api.ts';

/** Options of `startExampleApi`: the API's options plus where to listen. */
export interface StartExampleApiOptions extends ExampleApiOptions {
  /** TCP port; 0 picks a free one (see `url`). */
  port: number;
  /** Interface to bind [`127.0.0.1`]; use `0.0.0.0` in a container. */
  host?: string;
}

/** A listening example API. */
export interface RunningExampleApi {
  /** Base URL it listens on, with the actual port, e.g. `http://127.0.0.1:4000`. */
  readonly url: string;
  /**
   * Stops accepting connections, lets in-flight requests finish, stops following the revocation
   * feed, then resolves.
   */
  close(): Promise<void>;
  /** Where the revocation feed stands; undefined when it is not followed. */
  revocationFeed(): RevocationFeedState | undefined;
}

/**
 * Creates the example API and listens on `host:port`. Slow clients are cut off (10 s to send
 * headers, 30 s for the whole request), so a stalled upload cannot hold a connection forever.
 *
 * @example
 * const api = await startExampleApi({ issuer, audience, port: 4000 });
 * process.once('SIGTERM', () => api.close());
 */
export async function startExampleApi(options: StartExampleApiOptions): Promise<RunningExampleApi> {
  const { port, host = '127.0.0.1', ...apiOptions } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TypeError('startExampleApi: "port" must be an integer from 0 to 65535');
  }
  if (typeof host !== 'string' || host === '') {
    throw new TypeError('startExampleApi: "host" must be a non-empty string');
  }
  const app = createExampleApi(apiOptions);
  const handle = app.callback();
  let closing = false;
  // No per-request bookkeeping (a listener per response costs throughput): while closing, every
  // new request is told to close its connection, and connections that finish their request are
  // closed as they become idle.
  const server = createServer((req, res) => {
    if (closing) res.setHeader('Connection', 'close');
    void handle(req, res);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // Not serving: stop following the revocation feed too, or it would keep the process alive.
    await app.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  // A wildcard address is not something to connect to: name the loopback of that family.
  const urlHost =
    address.family === 'IPv6'
      ? `[${address.address === '::' ? '::1' : address.address}]`
      : address.address === '0.0.0.0'
        ? '127.0.0.1'
        : address.address;

  return {
    url: `http://${urlHost}:${address.port}`,
    revocationFeed: () => app.revocationFeed(),
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        closing = true;
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close((error) => {
          clearInterval(sweep);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      });
      await app.close();
    },
  };
}
