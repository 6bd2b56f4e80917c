import type { ApplyResultJson, DeclarationProblem } from '@portcullis/auth-server';
import { CliError } from '../errors.ts';
import { loadServices } from '../lazy.ts';
import { adminHttp } from '../remote/admin-http.ts';
import { ProblemError } from '../remote/problem-line.ts';
import type { Io } from '../runtime.ts';
import type { ApplyBackend, ApplyOutcome } from './apply-backend.ts';

type Answer = ApplyResultJson & { deletions: string[] };

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The path in the file of a JSON Pointer into the request (`/declaration/clients/1/name`):
 * `['clients', 1, 'name']`, a segment a number where the file has a list there.
 */
function pathOf(pointer: string, declaration: unknown): Array<string | number> {
  const path: Array<string | number> = [];
  let at: unknown = declaration;
  for (const raw of pointer.split('/').slice(2)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const part = Array.isArray(at) && /^\d+$/.test(key) ? Number(key) : key;
    path.push(part);
    at = (at as Record<string | number, unknown> | undefined)?.[part];
  }
  return path;
}

// The declaration's problems of a refusal (400, each with a pointer into it), or undefined.
function declarationProblems(
  error: unknown,
  declaration: unknown,
): DeclarationProblem[] | undefined {
  if (!(error instanceof ProblemError) || error.status !== 400) return undefined;
  const entries = error.problem.errors ?? [];
  if (entries.length === 0 || !entries.every((e) => e.pointer?.startsWith('/declaration'))) {
    return undefined;
  }
  return entries.map((e) => ({
    path: pathOf(e.pointer ?? '', declaration),
    message: e.detail ?? '',
  }));
}

/**
 * The remote back end of `apply`: the admin API's plan (`admin:read`) and apply
 * (`admin:write`), which parse and apply the declaration with the very functions the local mode
 * calls. A pruning apply sends the deletions agreed to, or without a question (`--yes`) those of
 * a plan made just before: the API never deletes what no plan showed. Identity providers are
 * refused (the API takes none: their secrets come from the environment of the machine that
 * applies them).
 *
 * @example
 * const { result } = await remoteApply(io, server).run(value, { dryRun: true, prune: false });
 */
export function remoteApply(io: Io, server: URL): ApplyBackend {
  const read = adminHttp(io, server, 'admin:read');
  const write = adminHttp(io, server, 'admin:read admin:write');
  const post = async (declaration: unknown, path: string, body: object) => {
    const http = path === '/apply/plan' ? read : write;
    try {
      return (await http.call<Answer>('POST', path, { body: { declaration, ...body } })).body;
    } catch (error) {
      const problems = declarationProblems(error, declaration);
      if (!problems) throw error;
      const { DeclarationProblems } = await loadServices();
      throw new DeclarationProblems(problems);
    }
  };
  const outcome = ({ deletions, ...result }: Answer): ApplyOutcome => ({ result, deletions });

  return {
    async run(declaration, how) {
      if (!isMapping(declaration)) {
        // Not even a mapping: the parser's own words, as locally, without a request.
        const { DeclarationProblems, parseDeclaration } = await loadServices();
        throw new DeclarationProblems(parseDeclaration(declaration).problems);
      }
      const providers = declaration.identity_providers;
      if (Array.isArray(providers) && providers.length > 0) {
        throw new CliError(
          'identity_providers are not available with --server: their client secrets come from the environment of the machine that applies them; run apply where the database is',
        );
      }
      if (how.dryRun) return outcome(await post(declaration, '/apply/plan', { prune: how.prune }));
      if (!how.prune) return outcome(await post(declaration, '/apply', {}));
      const confirmed =
        how.confirmedDeletions ??
        (await post(declaration, '/apply/plan', { prune: true })).deletions;
      return outcome(
        await post(declaration, '/apply', { prune: true, confirmed_deletions: confirmed }),
      );
    },
  };
}
