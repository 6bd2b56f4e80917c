import type { Logger } from '@portcullis/auth-server';
import {
  findDevSecrets,
  loadServerConfig,
  type ServerConfig,
} from '@portcullis/auth-server/config';
import type { Database } from '@portcullis/storage';
import { loadAuthServer, loadObservability } from './lazy.ts';
import { listenFailure } from './listen-failure.ts';
import { prettyLogStream } from './pretty-log.ts';
import { dataDir, type Io } from './runtime.ts';

/** Something running that must be stopped on the way out. */
export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Starts the authorization server on an open database; returns its URL and how to stop it. When
 * it cannot listen (a port in use), it stops what it had started (the signing-key refresh, the
 * change listener) and fails with one line naming the port and the setting to change.
 */
export async function startAuthServer(
  db: Database,
  databaseUrl: string,
  config: ServerConfig,
  logger: Logger,
  io: Io,
): Promise<Stoppable & { url: string; port: number }> {
  const { createAuthServer } = await loadAuthServer();
  const server = await createAuthServer({
    db,
    databaseUrl,
    config,
    // What the admin API's doctor judges: the environment this configuration came from.
    environment: { env: io.env, dataDir: dataDir(io.env) },
    logger,
  });
  let http: Awaited<ReturnType<typeof server.listen>>['server'];
  try {
    ({ server: http } = await server.listen());
  } catch (error) {
    await server.close().catch(() => {});
    const metrics =
      config.metricsPort !== undefined &&
      config.metricsPort !== 0 &&
      (error as { port?: unknown }).port === config.metricsPort;
    throw listenFailure(
      error,
      metrics
        ? { port: 'PORTCULLIS_METRICS_PORT', host: 'PORTCULLIS_METRICS_HOST' }
        : { port: 'PORTCULLIS_PORT', host: 'PORTCULLIS_HOST' },
    );
  }
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return { url: config.issuer, port, stop: () => server.close() };
}

/**
 * The servers' log on stderr: one JSON object per line, or a readable line per entry
 * (pretty-log.ts) with `PORTCULLIS_LOG_FORMAT=pretty`, or when unset for `dev` on a terminal
 * (`prettyOnTerminal`). Secrets are redacted before either.
 */
export async function serverLogger(
  io: Io,
  config: ServerConfig,
  prettyOnTerminal = false,
): Promise<Logger> {
  const { createJsonLogger } = await loadObservability();
  const terminal = (io.stderr as { isTTY?: boolean }).isTTY === true;
  const format = config.logFormat ?? (prettyOnTerminal && terminal ? 'pretty' : 'json');
  return createJsonLogger(format === 'pretty' ? prettyLogStream(io.stderr) : io.stderr);
}

/**
 * Reads the configuration for `serve` (production rules) or `dev`. Production is given the data
 * folder's development secrets only so that it refuses them.
 */
export function readConfig(
  io: Io,
  mode: ServerConfig['mode'],
  devSecrets?: Parameters<typeof loadServerConfig>[1]['devSecrets'],
) {
  const secrets = mode === 'production' ? findDevSecrets(dataDir(io.env)) : devSecrets;
  return loadServerConfig(io.env, secrets ? { mode, devSecrets: secrets } : { mode });
}

/**
 * Starts listening for SIGINT and SIGTERM at once (before anything is started, so no signal can
 * slip in between start-up and waiting). `stopped` resolves after the first signal, once `parts`
 * are stopped in reverse order of start. Another signal while stopping (after half a second)
 * exits at once.
 */
export function handleSignals(
  io: Io,
  parts: Stoppable[],
): { stopped: Promise<void>; dispose(): void } {
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    let firstAt = 0;
    onSignal = (signal) => {
      // A Ctrl-C reaches us twice when a wrapper (npx, pnpm) forwards the signal the terminal
      // already sent to the whole process group: only a later, deliberate one forces the exit.
      if (firstAt !== 0) {
        if (Date.now() - firstAt > 500) process.exit(130);
        return;
      }
      firstAt = Date.now();
      io.stderr.write(`received ${signal}, stopping\n`);
      void (async () => {
        for (const part of [...parts].reverse()) {
          await part
            .stop()
            .catch((error: unknown) => io.stderr.write(`while stopping: ${String(error)}\n`));
        }
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve();
      })();
    };
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stopped,
    // For start-up failures: the caller stops what it started and no longer waits for a signal.
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
