import { isDatabaseUnavailable } from '@portcullis/storage';
import type { AuthServerError } from '../errors.ts';
import { fieldPointer } from './field-keys.ts';
import { AdminProblem, type ProblemKind } from './problem.ts';

const KINDS: Readonly<Record<string, ProblemKind>> = {
  invalid_input: 'invalid-input',
  not_found: 'not-found',
  conflict: 'conflict',
};

/**
 * The problem an error of a service call stands for, or undefined for one that is a bug (a
 * 500). A service's own error keeps its message, the one the CLI prints, with the field named
 * by its body key when the message is a predicate on it (`access_token_ttl must be from 1s to
 * 1d`) and a pointer to it. Compared by `code`, never `instanceof`.
 *
 * @example
 * serviceProblem(new AuthServerError('not_found', 'no client with id or name "x"'));
 * // AdminProblem 404 not-found
 */
export function serviceProblem(
  error: unknown,
  fieldKeys: Readonly<Record<string, string>> = {},
): AdminProblem | undefined {
  if (error instanceof AdminProblem) return error;
  if (isDatabaseUnavailable(error)) {
    return new AdminProblem('unavailable', 'the database cannot be reached: retry later');
  }
  const known = error as Partial<AuthServerError> | null;
  const kind = typeof known?.code === 'string' ? KINDS[known.code] : undefined;
  if (kind === undefined || !(error instanceof Error)) return undefined;
  const line = error.message.split('\n')[0] ?? '';
  const where =
    known?.field === undefined ? undefined : fieldPointer(known.field, known.index, fieldKeys);
  const detail = known?.predicate && where ? `${where.key} ${line}` : line;
  return new AdminProblem(kind, detail, where ? [{ pointer: where.pointer, detail }] : []);
}
