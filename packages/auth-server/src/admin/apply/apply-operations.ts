import {
  applyDeclaration,
  DeclarationProblems,
  destructiveChanges,
} from '../../services/apply/apply-declaration.ts';
import { applyResultJson } from '../../services/apply/apply-result-json.ts';
import { parseDeclaration } from '../../services/apply/declaration.ts';
import type { AdminCall, AdminOperation } from '../admin-operation.ts';
import { AdminProblem } from '../problem.ts';

interface ApplyBody {
  declaration: Record<string, unknown>;
  prune?: boolean;
  confirmed_deletions?: string[];
}

// A declaration path (`['clients', 2, 'redirect_uris', 0]`) as a JSON Pointer into the body.
const pointerOf = (path: ReadonlyArray<string | number>) =>
  `/declaration${path.map((part) => `/${String(part).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')}`;

// Every problem of the declaration, each where it is: nothing was applied.
function problems(error: DeclarationProblems): AdminProblem {
  const errors = error.problems.map((p) => ({ pointer: pointerOf(p.path), detail: p.message }));
  return new AdminProblem('invalid-input', error.message, errors);
}

// Runs the declaration through the same parser and reconciliation as `portcullis apply`.
async function run(call: AdminCall, dryRun: boolean) {
  const body = call.body as ApplyBody;
  const { declaration, problems: found } = parseDeclaration(body.declaration);
  if (declaration.identityProviders.length > 0) {
    // Their client secrets come from the server's environment by variable name: over HTTP that
    // would let a caller send any of the server's variables to an issuer of its choosing.
    throw new AdminProblem(
      'invalid-input',
      'identity providers are declared with the CLI only (`portcullis apply`): their client secrets come from the environment',
      [{ pointer: '/declaration/identity_providers', detail: 'not accepted by the admin API' }],
    );
  }
  if (body.prune && !dryRun && body.confirmed_deletions === undefined) {
    throw new AdminProblem(
      'invalid-input',
      'prune needs confirmed_deletions: the deletions of a plan (POST /admin/v1/apply/plan) you agree to',
      [{ pointer: '/confirmed_deletions', detail: 'confirmed_deletions is required with prune' }],
    );
  }
  try {
    const result = await applyDeclaration(call.db, declaration, {
      problems: found,
      prune: body.prune === true,
      actor: call.actor,
      ...(dryRun ? { dryRun: true } : {}),
      ...(body.prune && !dryRun ? { confirmedDeletions: body.confirmed_deletions ?? [] } : {}),
    });
    // The shape of `apply --json`, with the deletions it makes (or would make) for a plan's
    // confirmation.
    return {
      status: 200,
      body: { ...applyResultJson(result), deletions: destructiveChanges(result) },
    };
  } catch (error) {
    if (error instanceof DeclarationProblems) throw problems(error);
    throw error;
  }
}

/**
 * The declarative registration's operations: a plan (writes nothing) and an apply, through the
 * very function `portcullis apply` calls, in one transaction with its audit events. A pruning
 * apply deletes only what the caller confirmed from a plan (409 otherwise), the API's form of
 * the CLI's question. Identity providers are left to the CLI.
 *
 * @example
 * const operations = applyOperations();
 */
export function applyOperations(): AdminOperation[] {
  return [
    {
      operationId: 'planDeclaration',
      method: 'POST',
      path: '/apply/plan',
      scope: 'admin:read',
      run: (call) => run(call, true),
    },
    {
      operationId: 'applyDeclaration',
      method: 'POST',
      path: '/apply',
      scope: 'admin:write',
      run: (call) => run(call, false),
    },
  ];
}
