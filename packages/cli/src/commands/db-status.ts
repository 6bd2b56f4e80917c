import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { loadStorage } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { type Io, withDatabase } from '../runtime.ts';

/** `portcullis db status`: applied and pending migrations; exit 1 when some are pending. */
export function registerDbStatus(db: Command, io: Io): void {
  db.command('status')
    .description('list applied and pending migrations (exit code 1 when some are pending)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Exit codes: 0 the schema is up to date, 1 migrations are pending (or the database cannot be
reached), 2 usage error. Scripts can wait on it before starting \`serve\`.

Example:
  $ portcullis db status --json`,
    )
    .action(async (options: { json?: boolean }) => {
      const { migrationStatus } = await loadStorage();
      const status = await withDatabase(io, migrationStatus, { requireCurrentSchema: false });
      if (options.json) {
        printJson(io, status);
      } else {
        printLines(io, [
          ...status.applied.map((name) => `applied  ${name}`),
          ...status.pending.map((name) => `pending  ${name}`),
          ...(status.pending.length ? [] : ['the schema is up to date']),
        ]);
      }
      if (status.pending.length) {
        throw new CliError(
          `${status.pending.length} pending migration(s): run \`portcullis db migrate\``,
        );
      }
    });
}
