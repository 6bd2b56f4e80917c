import type { Command } from 'commander';
import { loadStorage } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { type Io, withDatabase } from '../runtime.ts';

/** `portcullis db migrate`: applies pending migrations, each in its own transaction. */
export function registerDbMigrate(db: Command, io: Io): void {
  db.command('migrate')
    .description('apply every pending migration')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis db migrate')
    .action(async (options: { json?: boolean }) => {
      const { migrateLatest } = await loadStorage();
      const applied = await withDatabase(io, migrateLatest, { requireCurrentSchema: false });
      if (options.json) return printJson(io, { applied });
      printLines(
        io,
        applied.length ? applied.map((name) => `applied ${name}`) : ['the schema is up to date'],
      );
    });
}
