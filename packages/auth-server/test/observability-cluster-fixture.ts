// A node:cluster primary with two workers, for observability-cluster.test.ts: each worker counts
// tokens into its own metrics and shares them; the primary serves the sum, prints its metrics
// URL as one JSON line, and stops its workers and itself on SIGTERM.
import cluster from 'node:cluster';
import {
  shareMetricsWithPrimary,
  startClusterMetricsServer,
} from '../src/observability/cluster-metrics.ts';
import { createMetrics } from '../src/observability/metrics.ts';

const WORKERS = 2;

if (cluster.isPrimary) {
  const server = await startClusterMetricsServer({ host: '127.0.0.1', port: 0 });
  let ready = 0;
  for (let i = 0; i < WORKERS; i += 1) {
    const worker = cluster.fork({ WORKER_INDEX: String(i) });
    worker.on('message', (message: unknown) => {
      if (message !== 'ready') return;
      ready += 1;
      if (ready === WORKERS) process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
    });
  }
  process.on('SIGTERM', async () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    await server.close();
    process.exit(0);
  });
} else {
  const index = Number(process.env.WORKER_INDEX);
  const metrics = createMetrics({ processMetrics: false });
  for (let i = 0; i <= index; i += 1) metrics.tokenIssued('client_credentials', 'svc');
  metrics.setSigningKeys([
    { kid: 'k1', alg: 'ES256', state: 'active', createdAt: new Date(Date.now() - 60_000) },
  ]);
  shareMetricsWithPrimary(metrics.registry);
  process.send?.('ready');
}
