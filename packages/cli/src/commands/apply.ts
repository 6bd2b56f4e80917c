import type { DeclarationProblem } from '@portcullis/auth-server';
import type { Command } from 'commander';
import type { DeclarationSource } from '../apply/read-declaration.ts';
import { reportLines } from '../apply/report.ts';
import type { ApplyOutcome } from '../backends/apply-backend.ts';
import { applyBackend } from '../backends/select-apply.ts';
import { confirm } from '../confirm.ts';
import { CliError } from '../errors.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

interface Options {
  file: string;
  plan?: boolean;
  prune?: boolean;
  yes?: boolean;
  json?: boolean;
}

/** Every problem on its own line, `FILE:LINE: PATH: MESSAGE`, in the order of the file. */
async function problemLines(source: DeclarationSource, problems: readonly DeclarationProblem[]) {
  const { formatDeclarationPath } = await loadServices();
  return problems
    .map((problem) => ({ problem, line: source.lineOf(problem.path) }))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
    .map(({ problem, line }) => {
      const where = line === undefined ? source.name : `${source.name}:${line}`;
      return `${where}: ${formatDeclarationPath(problem.path)}: ${problem.message}`;
    });
}

// With --prune on a terminal: plan, show the deletions, ask, then apply exactly those.
async function applyAfterConfirmation(
  io: Io,
  run: (how: { dryRun: boolean; confirmedDeletions?: string[] }) => Promise<ApplyOutcome>,
): Promise<ApplyOutcome> {
  const { deletions } = await run({ dryRun: true });
  if (deletions.length > 0) {
    io.stderr.write(
      `--prune deletes what the file does not declare (clients with their grants and tokens):\n${deletions.map((d) => `  ${d}\n`).join('')}`,
    );
    if (!(await confirm(io, `Delete these ${deletions.length} and apply the file? [y/N] `))) {
      throw new CliError('nothing applied: the deletions were not confirmed');
    }
  }
  return run({ dryRun: false, confirmedDeletions: deletions });
}

/** `portcullis apply -f FILE`: brings the registered resources and clients to a declaration file. */
export function registerApply(program: Command, io: Io): void {
  program
    .command('apply')
    .description(
      'declare resources and clients in a YAML or JSON file and bring the registration to it, idempotently, in one transaction',
    )
    .requiredOption('-f, --file <path>', 'the declaration (YAML or JSON); - reads it from stdin')
    .option('--plan', 'print what would change, field by field, and change nothing')
    .option(
      '--prune',
      'delete registered clients, resources and scopes the file does not declare (asks first)',
    )
    .option('--yes', 'with --prune: do not ask (required when stdin is not a terminal)')
    .option('--json', 'machine-readable output (new secrets under "secrets", by client name)')
    .addHelpText(
      'after',
      `
Resources are matched by identifier, clients, roles and identity providers by name. New
confidential clients' secrets are printed once and never written to the file; an identity
provider's client secret is read from the environment variable its client_secret_env names (with
PORTCULLIS_KEY_ENCRYPTION_KEY, as for idps create). A file with any problem changes nothing: every
problem is listed with its line and path (clients[2].redirect_uris[0]: ...). See "Declarative
registration" in docs/operators.md for the format.

Example:
  $ portcullis apply -f infra/portcullis.example.yaml --plan
  $ portcullis apply -f infra/portcullis.example.yaml`,
    )
    .action(async (options: Options) => {
      const { DeclarationProblems } = await loadServices();
      // YAML's parser too, only here.
      const { readDeclaration } = await import('../apply/read-declaration.ts');
      if (options.prune && !options.plan && !options.yes) {
        if (options.file === '-') {
          throw new CliError(
            '--prune with -f - needs --yes: stdin holds the file, not an answer',
            2,
          );
        }
        if ((io.stdin as { isTTY?: boolean }).isTTY !== true) {
          throw new CliError(
            'refusing to prune without confirmation: stdin is not a terminal, pass --yes',
            2,
          );
        }
      }
      const source = await readDeclaration(io, options.file);
      const backend = await applyBackend(io);
      const run = (how: { dryRun: boolean; confirmedDeletions?: string[] }) =>
        backend.run(source.value, { prune: options.prune === true, ...how });
      let outcome: ApplyOutcome;
      try {
        if (options.plan) outcome = await run({ dryRun: true });
        else if (options.prune && !options.yes) outcome = await applyAfterConfirmation(io, run);
        else outcome = await run({ dryRun: false });
      } catch (error) {
        if (!(error instanceof DeclarationProblems)) throw error;
        io.stderr.write(`${(await problemLines(source, error.problems)).join('\n')}\n`);
        const count = `${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}`;
        throw new CliError(`nothing was applied: ${count} in ${source.name}`);
      }
      if (options.json) return printJson(io, outcome.result);
      printLines(io, reportLines(outcome.result, source.name));
    });
}
