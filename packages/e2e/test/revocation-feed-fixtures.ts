import { createServer, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

// Helpers of the revocation-feed tests: a small HTTP forwarder standing for the load balancer
// between an API and the authorization server's replicas, which a test can take down (every
// connection cut, new ones refused) and bring back, and whose replicas it can change.

/** A forwarder in front of `upstreams`, round robin; see {@link startForwarder}. */
export interface Forwarder {
  /** Where to send requests, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** The replicas requests go to, in turn; replace them to take one out or add one. */
  upstreams: string[];
  /** Which upstream each forwarded request went to, in order. */
  readonly served: string[];
  /** Cuts every open connection and answers nothing until `up()`: an unreachable feed. */
  down(): void;
  up(): void;
  close(): Promise<void>;
}

/**
 * Starts the forwarder on a free loopback port. While down it destroys each new connection at
 * once (the client sees a reset), as after a network partition or with every replica gone.
 *
 * @example
 * const lb = await startForwarder([replicaA, replicaB]);
 * lb.down(); lb.up();
 */
export async function startForwarder(upstreams: string[]): Promise<Forwarder> {
  const sockets = new Set<Socket>();
  let isDown = false;
  let next = 0;
  const served: string[] = [];
  const forwarder: Forwarder = {
    url: '',
    upstreams,
    served,
    down() {
      isDown = true;
      for (const socket of sockets) socket.destroy();
    },
    up() {
      isDown = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const target = forwarder.upstreams[next++ % forwarder.upstreams.length] as string;
    served.push(target);
    const upstream = request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    if (isDown) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(forwarder, { url: `http://127.0.0.1:${port}` });
  return forwarder;
}
