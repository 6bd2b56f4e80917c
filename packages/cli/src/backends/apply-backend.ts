import type { ApplyResultJson } from '@portcullis/auth-server';

/** What a plan or an apply did: its result, and the deletions it made or would make. */
export interface ApplyOutcome {
  result: ApplyResultJson;
  /** The deletions (`destructiveChanges`), what a pruning apply asks the operator about. */
  deletions: string[];
}

/** How to run a declaration: as a plan, or applied (with `prune`, only confirmed deletions). */
export interface ApplyRun {
  dryRun: boolean;
  prune: boolean;
  /** With `prune` and not `dryRun`: the deletions agreed to (undefined: those a plan shows). */
  confirmedDeletions?: string[];
}

/**
 * What `apply` does, with two back ends: parseDeclaration and applyDeclaration on the database
 * (local mode), or the admin API's `/apply/plan` and `/apply` (`--server`). A declaration's
 * problems throw the services' `DeclarationProblems` from either, each with its path in the
 * file, so the command prints the same lines.
 */
export interface ApplyBackend {
  run(declaration: unknown, how: ApplyRun): Promise<ApplyOutcome>;
}
