import {
  type ArtifactCounts,
  createJanitorRepository,
  type Database,
  type PurgeableCounts,
} from '@portcullis/storage';

import { DEFAULT_CONSUMED_MARGIN_SECONDS, DEFAULT_PURGE_BATCH } from './purge-defaults.ts';

export { DEFAULT_CONSUMED_MARGIN_SECONDS, DEFAULT_PURGE_BATCH } from './purge-defaults.ts';

/** What one purge does. */
export interface PurgeOptions {
  /** Count what would be deleted, delete nothing. */
  dryRun?: boolean;
  /** Seconds a consumed row is kept [1 day]. */
  consumedMarginSeconds?: number;
  /** Rows per statement [1000]. */
  batchSize?: number;
  /** Also delete audit events older than this many seconds. */
  auditOlderThanSeconds?: number;
  /** Called after every batch with the running totals. */
  onProgress?(progress: PurgeProgress): void;
  /** Checked between batches: true stops the purge early (a server shutting down). */
  shouldStop?(): boolean;
}

/** Where a purge stands after a batch. */
export interface PurgeProgress {
  phase: 'expired' | 'consumed';
  /** Rows of this phase deleted so far. */
  deleted: number;
  /** Rows of this phase there were to delete when the purge started. */
  total: number;
  /** Batches of this phase so far. */
  batches: number;
}

/** What a purge deleted (or, with `dryRun`, would delete). */
export interface PurgeReport {
  dryRun: boolean;
  /** Expired artifacts by model. */
  expired: ArtifactCounts;
  /** Consumed artifacts past the margin, by model. */
  consumed: ArtifactCounts;
  /** Audit events older than the cutoff; null when not asked for. */
  auditEvents: number | null;
  /** False when `shouldStop` ended the purge before it was done. */
  complete: boolean;
}

const add = (into: ArtifactCounts, from: ArtifactCounts) => {
  for (const [model, n] of Object.entries(from)) into[model] = (into[model] ?? 0) + n;
};
const sum = (counts: ArtifactCounts) => Object.values(counts).reduce((a, b) => a + b, 0);

/**
 * The janitor: deletes expired rows and rows consumed longer than a safety margin ago from
 * `oidc_artifacts`, in batches, and optionally old audit events. Only one process purges at a
 * time (a PostgreSQL advisory lock): `purge` answers `busy` when another holds it.
 *
 * @example
 * const report = await createJanitor(db).purge({ auditOlderThanSeconds: 90 * 86_400 });
 * if (report !== 'busy') console.log(report.expired);
 */
export function createJanitor(db: Database) {
  const repository = createJanitorRepository(db);

  const count = (options: PurgeOptions): Promise<PurgeableCounts> =>
    repository.countPurgeable({
      consumedMarginSeconds: options.consumedMarginSeconds ?? DEFAULT_CONSUMED_MARGIN_SECONDS,
      ...(options.auditOlderThanSeconds !== undefined
        ? { auditBefore: new Date(Date.now() - options.auditOlderThanSeconds * 1000) }
        : {}),
    });

  async function run(options: PurgeOptions): Promise<PurgeReport> {
    const batch = options.batchSize ?? DEFAULT_PURGE_BATCH;
    const margin = options.consumedMarginSeconds ?? DEFAULT_CONSUMED_MARGIN_SECONDS;
    const planned = await count(options);
    const report: PurgeReport = {
      dryRun: false,
      expired: {},
      consumed: {},
      auditEvents: null,
      complete: true,
    };
    const phases = [
      ['expired', () => repository.deleteExpiredBatch(batch)],
      ['consumed', () => repository.deleteConsumedBatch(margin, batch)],
    ] as const;
    for (const [phase, deleteBatch] of phases) {
      const total = sum(planned[phase]);
      let batches = 0;
      for (;;) {
        if (options.shouldStop?.()) {
          report.complete = false;
          return report;
        }
        const deleted = await deleteBatch();
        add(report[phase], deleted);
        batches += 1;
        options.onProgress?.({ phase, deleted: sum(report[phase]), total, batches });
        if (sum(deleted) < batch) break;
      }
    }
    if (options.auditOlderThanSeconds !== undefined) {
      report.auditEvents = await repository.deleteAuditBefore(
        new Date(Date.now() - options.auditOlderThanSeconds * 1000),
      );
    }
    return report;
  }

  return {
    /**
     * Purges, holding the janitor lock; `busy` when another process is purging. With `dryRun`
     * it only counts (and takes no lock).
     */
    async purge(options: PurgeOptions = {}): Promise<PurgeReport | 'busy'> {
      if (options.dryRun) {
        const planned = await count(options);
        return {
          dryRun: true,
          expired: planned.expired,
          consumed: planned.consumed,
          auditEvents: planned.auditEvents ?? null,
          complete: true,
        };
      }
      const outcome = await repository.withLock(() => run(options));
      return outcome.acquired ? outcome.value : 'busy';
    },
  };
}

/** The janitor {@link createJanitor} returns. */
export type Janitor = ReturnType<typeof createJanitor>;
