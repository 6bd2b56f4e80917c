import type Koa from 'koa';

/** Where a problem is, in the request: a JSON Pointer into the body, or a query parameter. */
export interface ProblemField {
  /**
   * The body member (the pointer's first key) or query parameter at fault, for a form to show
   * the message beside its field; set by {@link problemBody}, absent for the body as a whole.
   */
  field?: string;
  /** RFC 6901 pointer into the request body (`/redirect_uris/0`), or `query`'s parameter. */
  pointer?: string;
  /** The query parameter at fault (`limit`). */
  parameter?: string;
  /** What is wrong, in the words the CLI uses for the same mistake. */
  detail: string;
}

/** The stable kinds of admin API problems; each is the last part of its `type` URN. */
export type ProblemKind =
  | 'invalid-request'
  | 'invalid-input'
  | 'not-found'
  | 'conflict'
  | 'precondition-failed'
  | 'precondition-required'
  | 'unsupported-media-type'
  | 'payload-too-large'
  | 'unauthorized'
  | 'forbidden'
  | 'unavailable'
  | 'internal';

const TITLES: Readonly<Record<ProblemKind, [number, string]>> = {
  'invalid-request': [400, 'The request is malformed'],
  'invalid-input': [400, 'The request has invalid values'],
  'not-found': [404, 'No such thing'],
  conflict: [409, 'It conflicts with what is registered'],
  'precondition-failed': [412, 'It changed since it was read'],
  'precondition-required': [428, 'If-Match is required'],
  'unsupported-media-type': [415, 'The body must be application/json'],
  'payload-too-large': [413, 'The body is too large'],
  unauthorized: [401, 'An access token is required'],
  forbidden: [403, 'The access token does not allow this'],
  unavailable: [503, 'The service is temporarily unavailable'],
  internal: [500, 'Something went wrong on our side'],
};

/** The `type` URI of a problem kind: `urn:portcullis:problem:not-found`. */
const problemType = (kind: ProblemKind): string => `urn:portcullis:problem:${kind}`;

/**
 * An admin API refusal, answered as RFC 9457 problem details by {@link sendProblem}. Its message
 * is the `detail` shown to the caller: never a token, secret or stack.
 *
 * @example
 * throw new AdminProblem('precondition-required', 'send the ETag you read in If-Match');
 */
export class AdminProblem extends Error {
  readonly kind: ProblemKind;
  readonly status: number;
  readonly errors: readonly ProblemField[];
  /** For a `forbidden` problem: the scopes the operation needs (RFC 6750 `insufficient_scope`). */
  readonly scope: string | undefined;
  readonly expose = true;

  constructor(
    kind: ProblemKind,
    detail: string,
    errors: readonly ProblemField[] = [],
    scope?: string,
  ) {
    super(detail);
    this.name = 'AdminProblem';
    this.kind = kind;
    this.status = TITLES[kind][0];
    this.errors = errors;
    this.scope = scope;
  }
}

/** An RFC 9457 problem details object as the admin API sends it. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The RFC 6750 error code of a refused access token (`invalid_token`...). */
  error?: string;
  errors?: ProblemField[];
}

/**
 * The problem details of a kind, with `detail` and per-field `errors`.
 *
 * @example
 * problemBody('not-found', 'no client with id or name "billing"');
 */
export function problemBody(
  kind: ProblemKind,
  detail: string,
  errors: readonly ProblemField[] = [],
): ProblemBody {
  const [status, title] = TITLES[kind];
  return {
    type: problemType(kind),
    title,
    status,
    detail,
    ...(errors.length > 0 ? { errors: errors.map(withField) } : {}),
  };
}

// The field an entry is about: its query parameter, or the body member its pointer starts with
// (RFC 6901 unescaped: `~1` is `/`, `~0` is `~`).
function withField(entry: ProblemField): ProblemField {
  const first = entry.pointer?.split('/')[1];
  const field =
    entry.parameter ?? (first ? first.replaceAll('~1', '/').replaceAll('~0', '~') : undefined);
  return field === undefined || field === '' ? entry : { field, ...entry };
}

/**
 * Answers `problem` as `application/problem+json` (RFC 9457), never cached.
 *
 * @example
 * sendProblem(ctx, new AdminProblem('not-found', 'no client with id or name "x"'));
 */
export function sendProblem(ctx: Koa.Context, problem: AdminProblem): void {
  ctx.status = problem.status;
  ctx.set('cache-control', 'no-store');
  ctx.type = 'application/problem+json';
  const body = problemBody(problem.kind, problem.message, problem.errors);
  if (problem.scope !== undefined) {
    // As the resource server answers a token without the operation's own scope (RFC 6750 §3).
    ctx.set('www-authenticate', `Bearer error="insufficient_scope", scope="${problem.scope}"`);
    body.error = 'insufficient_scope';
  }
  ctx.body = JSON.stringify(body);
}
