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
 * 1d`) and a pointer to it. A `not_found` about a body field is a 400 `invalid-input`, not a 404.
 * Compared by `code`, never `instanceof`.
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
  const found = typeof known?.code === 'string' ? KINDS[known.code] : undefined;
  if (found === undefined || !(error instanceof Error)) return undefined;
  const line = error.message.split('\n')[0] ?? '';
  const where =
    known?.field === undefined ? undefined : fieldPointer(known.field, known.index, fieldKeys);
  // An unknown thing named in the body (a token's client, user or resource) is a bad body: 400
  // naming the field. 404 stays for what the path names.
  const kind = found === 'not-found' && where ? 'invalid-input' : found;
  const detail = known?.predicate && where ? `${where.key} ${line}` : line;
  return new AdminProblem(kind, detail, where ? [{ pointer: where.pointer, detail }] : []);
}
