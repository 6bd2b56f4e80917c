import { once } from 'node:events';
import net from 'node:net';

/** A proxy started by {@link startFreezableProxy}. */
export interface FreezableProxy {
  /** The port it listens on (loopback). */
  readonly port: number;
  /** Stops forwarding in both directions, without closing anything; new connections wait too. */
  freeze(): void;
  /** Forwards again, what was held first. */
  thaw(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback to `port` that can freeze (accept and hold every byte, forward nothing,
 * close nothing) and thaw: a database that stops answering without anything failing, as in a
 * network partition or on a frozen host, which TCP takes many minutes to notice.
 *
 * @example
 * const proxy = await startFreezableProxy(5432);
 * proxy.freeze(); // ... proxy.thaw();
 */
export async function startFreezableProxy(port: number): Promise<FreezableProxy> {
  let frozen = false;
  const pairs = new Set<{ inbound: net.Socket; outbound: net.Socket }>();
  const forward = ({ inbound, outbound }: { inbound: net.Socket; outbound: net.Socket }) => {
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  };
  const server = net.createServer((inbound) => {
    const outbound = net.connect(port, '127.0.0.1');
    const pair = { inbound, outbound };
    pairs.add(pair);
    const close = () => {
      inbound.destroy();
      outbound.destroy();
      pairs.delete(pair);
    };
    for (const socket of [inbound, outbound]) {
      socket.on('error', close);
      socket.on('close', close);
    }
    if (frozen) inbound.pause();
    else forward(pair);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze() {
      frozen = true;
      for (const { inbound, outbound } of pairs) {
        inbound.unpipe(outbound);
        outbound.unpipe(inbound);
        inbound.pause();
        outbound.pause();
      }
    },
    thaw() {
      frozen = false;
      for (const pair of pairs) forward(pair);
    },
    async close() {
      for (const { inbound, outbound } of pairs) {
        inbound.destroy();
        outbound.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
