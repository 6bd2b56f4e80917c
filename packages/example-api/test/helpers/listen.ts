import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';

/** A Koa app listening on a free port of 127.0.0.1. */
export interface Listening {
  /** Base URL, e.g. `http://127.0.0.1:43210`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `app` on a free loopback port until `close()`. */
export async function listen(app: Koa): Promise<Listening> {
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
