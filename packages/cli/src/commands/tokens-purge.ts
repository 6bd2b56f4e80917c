import type { PurgeReport } from '@portcullis/auth-server';
import {
  DEFAULT_CONSUMED_MARGIN_SECONDS,
  DEFAULT_PURGE_BATCH,
  formatDuration,
  parseDuration,
} from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { localOnly } from '../remote/local-only.ts';
import { type Io, withDatabase } from '../runtime.ts';

interface Options {
  dryRun?: boolean;
  consumedMargin: string;
  olderThan?: string;
  batchSize: string;
  json?: boolean;
}

// A progress line every this many batches, so a large table shows it is moving.
const PROGRESS_EVERY = 10;

function duration(value: string, flag: string, min: number): number {
  const seconds = parseDuration(value);
  if (seconds === undefined || seconds < min) {
    throw new CliError(
      `${flag} must be a duration of at least ${formatDuration(min)}, like 1d or 12h, got "${value}"`,
      2,
    );
  }
  return seconds;
}

const describe = (counts: Record<string, number>) => {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return `${total}${entries.length > 0 ? ` (${entries.map(([m, n]) => `${n} ${m}`).join(', ')})` : ''}`;
};

/** `portcullis tokens purge`: the janitor, run once. */
export function registerTokensPurge(tokens: Command, io: Io): void {
  localOnly(tokens.command('purge'))
    .description(
      'delete expired tokens, codes, sessions and grants, and consumed ones past a safety margin, in batches',
    )
    .option('--dry-run', 'print what would be deleted; delete nothing')
    .option(
      '--consumed-margin <duration>',
      'keep consumed rows (rotated refresh tokens, used codes) this long, so reuse is detected',
      formatDuration(DEFAULT_CONSUMED_MARGIN_SECONDS),
    )
    .option('--older-than <duration>', 'also delete audit events older than this, like 365d')
    .option(
      '--batch-size <rows>',
      'rows per DELETE statement, 1 to 10000',
      String(DEFAULT_PURGE_BATCH),
    )
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Only one purge runs at a time across every server and CLI (PostgreSQL advisory lock): while
another runs, this one exits 1. Servers purge by themselves every PORTCULLIS_JANITOR_INTERVAL.

Examples:
  $ portcullis tokens purge --dry-run
  $ portcullis tokens purge --older-than 365d`,
    )
    .action(async (options: Options) => {
      const { createJanitor } = await loadServices();
      const consumedMarginSeconds = duration(options.consumedMargin, '--consumed-margin', 60);
      const auditOlderThanSeconds =
        options.olderThan === undefined
          ? undefined
          : duration(options.olderThan, '--older-than', 86_400);
      const batchSize = Number(options.batchSize);
      if (!/^\d+$/.test(options.batchSize) || batchSize < 1 || batchSize > 10_000) {
        throw new CliError(`--batch-size must be a whole number from 1 to 10000`, 2);
      }
      const report: PurgeReport | 'busy' = await withDatabase(io, (db) =>
        createJanitor(db).purge({
          dryRun: options.dryRun,
          consumedMarginSeconds,
          batchSize,
          ...(auditOlderThanSeconds !== undefined ? { auditOlderThanSeconds } : {}),
          onProgress: ({ phase, deleted, total, batches }) => {
            if (batches % PROGRESS_EVERY === 0) {
              io.stderr.write(`purging ${phase} rows: ${deleted} of ${total} deleted\n`);
            }
          },
        }),
      );
      if (report === 'busy') {
        throw new CliError('another purge is running (a server or another CLI): try again later');
      }
      if (options.json) {
        return printJson(io, {
          dry_run: report.dryRun,
          expired: report.expired,
          consumed: report.consumed,
          audit_events: report.auditEvents,
        });
      }
      const verb = report.dryRun ? 'would delete' : 'deleted';
      printLines(io, [
        `${verb} ${describe(report.expired)} expired row(s)`,
        `${verb} ${describe(report.consumed)} row(s) consumed over ${formatDuration(consumedMarginSeconds)} ago`,
        ...(report.auditEvents !== null
          ? [`${verb} ${report.auditEvents} audit event(s) older than ${options.olderThan}`]
          : []),
      ]);
    });
}
