/**
 * `@portcullis/auth-server/observability`: the JSON log and the cluster metrics server, for a
 * process that serves no requests itself (the primary of `portcullis serve --workers N`), without
 * what the main entry loads for the server (oidc-provider, Koa, the services): in that primary it
 * saves the memory of a whole server. Everything here is also exported by the main entry.
 */

export { startClusterMetricsServer } from './cluster-metrics.ts';
export { createJsonLogger, type Logger } from './logger.ts';
