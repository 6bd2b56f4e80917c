import type { Database } from '@portcullis/storage';
import type { Logger } from '../observability/logger.ts';
import { createJanitor, type PurgeReport } from './janitor.ts';

/** A running janitor schedule. */
export interface JanitorSchedule {
  /** Stops the timer; a purge in progress stops after its current batch. */
  stop(): Promise<void>;
}

/**
 * Runs the janitor inside a server (`PORTCULLIS_JANITOR_INTERVAL`): once right after start (so
 * servers redeployed more often than the interval still purge), then every `intervalSeconds`
 * after the previous round ended. Every replica may run one: the advisory lock lets only one
 * purge at a time, the others skip that round. A failed purge is logged and retried at the next
 * interval; it never stops the server.
 *
 * @example
 * const schedule = startJanitorSchedule({ db, intervalSeconds: 3600, logger });
 * process.once('SIGTERM', () => schedule.stop());
 */
export function startJanitorSchedule(options: {
  db: Database;
  intervalSeconds: number;
  logger: Logger;
  /** Called after each round, with its report or `busy` (tests wait on it). */
  onRound?(outcome: PurgeReport | 'busy' | Error): void;
}): JanitorSchedule {
  const { logger } = options;
  const janitor = createJanitor(options.db);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const round = async () => {
    try {
      const outcome = await janitor.purge({ shouldStop: () => stopped });
      if (outcome !== 'busy') {
        const deleted = [outcome.expired, outcome.consumed].flatMap(Object.values);
        const total = deleted.reduce((a, b) => a + b, 0);
        if (total > 0) {
          logger.info('janitor purged artifacts', {
            expired: outcome.expired,
            consumed: outcome.consumed,
          });
        }
      }
      options.onRound?.(outcome);
    } catch (error) {
      logger.warn('janitor purge failed; retrying at the next interval', {
        error: error instanceof Error ? error.message : String(error),
      });
      options.onRound?.(error instanceof Error ? error : new Error(String(error)));
    }
  };

  const schedule = (delaySeconds: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = round().finally(() => {
        running = undefined;
        schedule(options.intervalSeconds);
      });
    }, delaySeconds * 1000);
    timer.unref();
  };
  schedule(0);

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
