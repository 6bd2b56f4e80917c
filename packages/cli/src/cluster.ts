import cluster, { type Worker } from 'node:cluster';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@portcullis/auth-server';
import { InvalidArgumentError } from 'commander';
import { CliError } from './errors.ts';
import { loadObservability, loadStorage } from './lazy.ts';
import { printJsonLine } from './output.ts';
import { type Io, openDatabase } from './runtime.ts';
import { readConfig, serverLogger } from './stack.ts';

/** The most workers `serve --workers` starts: each holds its own database pool. */
const MAX_WORKERS = 64;
/** The first restart of a worker that died waits this long; each further one twice as long. */
const RESTART_DELAY_MS = 250;
/** Restarts never wait longer than this. */
const MAX_RESTART_DELAY_MS = 15_000;
/** A worker that served this long before it died is restarted with the first delay again. */
const STABLE_AFTER_MS = 60_000;

// The worker entry beside this file: `.ts` in the workspace, `.js` in the built package (a URL
// string is not rewritten by the compiler as import specifiers are).
const here = fileURLToPath(import.meta.url);
const workerEntry = path.join(path.dirname(here), `cluster-worker${path.extname(here)}`);

/**
 * Parses `--workers`: a whole number from 1 to {@link MAX_WORKERS}.
 *
 * @example
 * program.option('--workers <n>', 'run n worker processes', parseWorkers);
 */
export function parseWorkers(value: string): number {
  const workers = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_WORKERS}`);
  }
  return workers;
}

/**
 * How long to wait before starting a worker again after `failures` deaths in a row: 250 ms,
 * then twice as long each time, at most {@link MAX_RESTART_DELAY_MS}.
 *
 * @example
 * restartDelay(0); // 250
 * restartDelay(3); // 2000
 */
export function restartDelay(failures: number): number {
  return Math.min(MAX_RESTART_DELAY_MS, RESTART_DELAY_MS * 2 ** Math.min(failures, 16));
}

/** One place in the pool: the worker filling it now and how often it died in a row. */
interface Slot {
  index: number;
  worker?: Worker;
  listeningSince?: number;
  failures: number;
  restart?: NodeJS.Timeout;
}

/**
 * `portcullis serve --workers N`: this process becomes a node:cluster primary that checks the
 * configuration and the database once, then runs N `portcullis serve` workers sharing one port
 * (connections are handed out round-robin). A worker that dies is started again after
 * {@link restartDelay}; SIGTERM or SIGINT is passed on to every worker for their graceful stop,
 * and the primary returns once all of them are gone (failing when one did not stop cleanly).
 * The primary serves no requests itself, only the workers' metrics added up (when
 * PORTCULLIS_METRICS_PORT is set); when it started the embedded PostgreSQL, it stops it last.
 *
 * @example
 * await serveWorkers(io, { workers: 4, json: false });
 */
export async function serveWorkers(
  io: Io,
  options: { workers: number; json?: boolean },
): Promise<void> {
  const config = readConfig(io, 'production');
  // What the primary loads is what it runs: the log, the metrics server, the schema check; the
  // server's modules load in the workers only.
  const { startClusterMetricsServer } = await loadObservability();
  const { assertSchemaCurrent } = await loadStorage();
  const logger = await serverLogger(io, config);
  // Checked once here, so a bad database or schema is one line and exit 1, not N failing workers.
  const opened = await openDatabase(io);
  try {
    await assertSchemaCurrent(opened.db);
  } catch (error) {
    await opened.close();
    throw error;
  }
  await opened.db.destroy();
  let metrics: Awaited<ReturnType<typeof startClusterMetricsServer>> | undefined;
  try {
    // Workers share their metrics with the primary, which serves them added up on one port.
    if (config.metricsPort !== undefined) {
      metrics = await startClusterMetricsServer({
        host: config.metricsHost,
        port: config.metricsPort,
      });
      logger.info('metrics listening', { url: metrics.url });
    }
    cluster.setupPrimary({ exec: workerEntry, args: [] });
    await runPool(io, logger, options, { ...io.env, DATABASE_URL: opened.database.url }, config);
  } finally {
    await metrics?.close();
    await opened.database.stop();
  }
}

async function runPool(
  io: Io,
  logger: Logger,
  options: { workers: number; json?: boolean },
  env: NodeJS.ProcessEnv,
  config: ReturnType<typeof readConfig>,
): Promise<void> {
  const slots: Slot[] = Array.from({ length: options.workers }, (_, index) => ({
    index,
    failures: 0,
  }));
  const live = () => slots.flatMap((slot) => (slot.worker ? [slot.worker] : []));
  let ready = false;
  let stoppingAt: number | undefined;
  let stopSignal: NodeJS.Signals | undefined;
  // Why the pool ends badly: a worker that could not start, or workers that did not stop cleanly.
  let startFailure: string | undefined;
  const unclean: string[] = [];
  let settle: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const settleWhenEmpty = () => {
    if (live().length === 0) settle();
  };

  const stopAll = (signal: NodeJS.Signals) => {
    stoppingAt = Date.now();
    stopSignal = signal;
    for (const slot of slots) clearTimeout(slot.restart);
    for (const worker of live()) worker.process.kill(signal);
    settleWhenEmpty();
  };

  const start = (slot: Slot) => {
    slot.restart = undefined;
    slot.listeningSince = undefined;
    const worker = cluster.fork(env);
    slot.worker = worker;
    const pid = worker.process.pid;
    worker.on('error', (error) =>
      logger.warn('worker channel error', { worker: pid, error: error.message }),
    );
    worker.on('listening', (address) => {
      // Only the authorization server's port counts (a worker may listen on others too).
      if (config.port !== 0 && address.port !== config.port) return;
      slot.listeningSince = Date.now();
      if (ready) {
        logger.info('worker listening', { worker: pid, slot: slot.index });
      } else if (slots.every((s) => s.listeningSince !== undefined)) {
        ready = true;
        announce(io, options, config, address.port, live());
      }
    });
    worker.on('exit', (code, signal) => {
      slot.worker = undefined;
      const how = signal ? `got ${signal}` : `exited with code ${code}`;
      if (stoppingAt !== undefined) {
        // Ended by the signal passed on (before it could handle it, while starting) is clean too.
        const clean = code === 0 || (signal !== null && signal === stopSignal);
        if (!clean && startFailure === undefined) unclean.push(`worker ${pid} ${how}`);
        settleWhenEmpty();
        return;
      }
      if (!ready) {
        // A worker that cannot start meets a configuration or environment problem (its own
        // error is above): starting it again would only repeat it.
        startFailure = `worker ${pid} could not start (it ${how})`;
        stopAll('SIGTERM');
        return;
      }
      const served = slot.listeningSince === undefined ? 0 : Date.now() - slot.listeningSince;
      if (served >= STABLE_AFTER_MS) slot.failures = 0;
      const delay = restartDelay(slot.failures);
      slot.failures += 1;
      logger.warn('worker died; starting another', {
        worker: pid,
        slot: slot.index,
        exit_code: code,
        signal,
        restart_in_ms: delay,
      });
      slot.restart = setTimeout(() => start(slot), delay);
    });
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppingAt !== undefined) {
      // As with `serve` alone: a wrapper may pass on the terminal's signal a second time at
      // once; only a later, deliberate one stops the workers without waiting.
      if (Date.now() - stoppingAt > 500) {
        for (const worker of live()) worker.process.kill('SIGKILL');
        process.exit(130);
      }
      return;
    }
    io.stderr.write(`received ${signal}, stopping ${live().length} workers\n`);
    stopAll(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (const slot of slots) start(slot);
    await done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (startFailure) throw new CliError(startFailure);
  if (unclean.length > 0) throw new CliError(`${unclean.join('; ')} while stopping`);
}

function announce(
  io: Io,
  options: { json?: boolean },
  config: ReturnType<typeof readConfig>,
  port: number,
  workers: Worker[],
) {
  const pids = workers.map((worker) => worker.process.pid);
  if (options.json) {
    printJsonLine(io, {
      issuer: config.issuer,
      host: config.host,
      port,
      pid: process.pid,
      workers: pids,
    });
  } else {
    io.stderr.write(
      `portcullis serving ${config.issuer} on ${config.host}:${port} with ${pids.length} workers (pids ${pids.join(', ')})\n`,
    );
  }
}
