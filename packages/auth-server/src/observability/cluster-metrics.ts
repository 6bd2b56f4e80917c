import { AggregatorRegistry, type Registry } from 'prom-client';
import { type MetricsServer, startMetricsServer } from './metrics-server.ts';

/**
 * In a cluster worker: answers the primary's requests for this worker's metrics, so the primary
 * serves one scrape adding up every worker (see {@link startClusterMetricsServer}).
 *
 * @example
 * if (cluster.isWorker) shareMetricsWithPrimary(metrics.registry);
 */
export function shareMetricsWithPrimary(registry: Registry): void {
  // Constructing one installs prom-client's message listener in this worker.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
}

/**
 * In the cluster primary (`serve --workers N`): serves `GET /metrics` with every worker's
 * metrics added up (counters and histograms summed, key ages by maximum). Workers must call
 * {@link shareMetricsWithPrimary}; the authorization server does that by itself in a worker.
 *
 * @example
 * const metrics = await startClusterMetricsServer({ host: '127.0.0.1', port: 9464 });
 * // ... on shutdown
 * await metrics.close();
 */
export function startClusterMetricsServer(options: {
  host: string;
  port: number;
}): Promise<MetricsServer> {
  const aggregator = new AggregatorRegistry();
  return startMetricsServer({
    ...options,
    render: () => aggregator.clusterMetrics(),
    contentType: aggregator.contentType,
  });
}
