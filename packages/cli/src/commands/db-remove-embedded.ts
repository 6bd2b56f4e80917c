import type { Command } from 'commander';
import { confirm, interactive } from '../confirm.ts';
import { CliError } from '../errors.ts';
import { loadStorage } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { dataDir, type Io } from '../runtime.ts';

/**
 * `portcullis db remove-embedded`: deletes the embedded PostgreSQL of the data folder (wherever
 * its cluster lives, /var/lib/portcullis included) and the data folder itself; asks first,
 * unless `--yes`. A server named by DATABASE_URL is never touched.
 */
export function registerDbRemoveEmbedded(db: Command, io: Io): void {
  db.command('remove-embedded')
    .description(
      'delete the embedded PostgreSQL and the data folder (PORTCULLIS_DATA_DIR); asks first, unless --yes',
    )
    .option('--yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Removes everything \`portcullis dev\` keeps: the embedded database (as root with a data folder
in a private home, its cluster lives under /var/lib/portcullis/clusters, linked from
<data folder>/pg, and is removed too) and the development secrets. The next \`dev\` starts
afresh. Refuses while the embedded server runs (stop \`dev\` first). DATABASE_URL is ignored:
a server it names is never touched.

Examples:
  $ portcullis db remove-embedded
  $ PORTCULLIS_DATA_DIR=/srv/portcullis-dev portcullis db remove-embedded --yes --json`,
    )
    .action(async (options: { yes?: boolean; json?: boolean }) => {
      const { removeEmbeddedPostgres } = await loadStorage();
      const dir = dataDir(io.env);
      if (!options.yes) {
        if (!interactive(io)) {
          throw new CliError(
            `refusing to delete ${dir} and its embedded PostgreSQL without confirmation: stdin is not a terminal, pass --yes`,
            2,
          );
        }
        const question = `Delete ${dir} with its embedded PostgreSQL and development secrets? Its data cannot be recovered. [y/N] `;
        if (!(await confirm(io, question))) throw new CliError('not removed: not confirmed');
      }
      const removed = await removeEmbeddedPostgres(dir);
      if (options.json) return printJson(io, { data_dir: dir, removed });
      printLines(
        io,
        removed.length
          ? removed.map((folder) => `removed ${folder}`)
          : [`nothing to remove: ${dir} does not exist`],
      );
    });
}
