import { createServer, type Server } from 'node:http';

/** What {@link startMetricsServer} needs. */
export interface MetricsServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The scrape's body, in the Prometheus text format. */
  render(): Promise<string>;
  contentType: string;
}

/** A listening metrics server. */
export interface MetricsServer {
  /** Where Prometheus scrapes, like `http://127.0.0.1:9464/metrics`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` on its own port, apart from the public listener, so that only the
 * network an operator chooses (loopback by default) can read it. Anything else is a 404.
 *
 * @example
 * const server = await startMetricsServer({
 *   host: '127.0.0.1', port: 9464, render: () => metrics.render(),
 *   contentType: metrics.registry.contentType,
 * });
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer(
    { headersTimeout: 10_000, requestTimeout: 30_000 },
    (req, res) => {
      const path = (req.url ?? '').split('?', 1)[0];
      if (path !== '/metrics') {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end();
        return;
      }
      options.render().then(
        (body) => {
          res.writeHead(200, { 'Content-Type': options.contentType, 'Cache-Control': 'no-store' });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
        () => {
          res.writeHead(503, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n');
        },
      );
    },
  );
  server.listen(options.port, options.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/metrics`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
