import { FIELD_KEYS } from '@portcullis/auth-server/config';
import { CliError } from '../errors.ts';
import { flagOf } from '../field-flags.ts';

/** RFC 9457 problem details as the admin API sends them (docs/admin-api.md, "Problems"). */
export interface Problem {
  type?: string;
  status?: number;
  detail?: string;
  errors?: Array<{ pointer?: string; parameter?: string; detail?: string }>;
}

// The service field of each body key (FIELD_KEYS reversed).
const FIELDS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(FIELD_KEYS).map(([field, key]) => [key, field]),
);

/**
 * A refusal of the admin API as the CLI's one-line error, keeping the problem itself for a back
 * end that reads more of it (`apply` turns its `errors` back into the file's lines).
 */
export class ProblemError extends CliError {
  readonly problem: Problem;
  readonly status: number;

  constructor(message: string, problem: Problem, status: number) {
    super(message);
    this.problem = problem;
    this.status = status;
  }
}

const camel = (key: string) =>
  key.replace(/_([a-z])/g, (_m, letter: string) => letter.toUpperCase());

/**
 * The CLI's one-line error for a problem of the admin API: its `detail`, with a body key it
 * starts with named by its flag as the local mode names it (`access_token_ttl must be ...`
 * becomes `--access-token-ttl must be ...`); a stale version or a missing If-Match, a clear line.
 *
 * @example
 * problemError({ status: 404, detail: 'no client with id or name "x"' }).message;
 */
export function problemError(problem: Problem, status: number): ProblemError {
  const error = (message: string) => new ProblemError(message, problem, status);
  const kind = problem.type?.split(':').pop();
  if (status === 412 || kind === 'precondition-failed') {
    return error('someone else changed it meanwhile: nothing done, run the command again');
  }
  if (status === 401 || status === 403) {
    return error(`the admin API refused the token (${status}): ${problem.detail ?? kind}`);
  }
  const detail = problem.detail?.split('\n')[0] ?? `the admin API answered ${status}`;
  const key = problem.errors?.[0]?.pointer?.split('/')[1];
  // A predicate names the field first (`scope must ...`); a message about a value quotes it
  // after its kind (`scope "x" is not defined ...`) and stays as it is, as locally.
  if (key !== undefined && detail.startsWith(`${key} `) && !detail.startsWith(`${key} "`)) {
    return error(`${flagOf(FIELDS[key] ?? camel(key))}${detail.slice(key.length)}`);
  }
  return error(detail);
}
