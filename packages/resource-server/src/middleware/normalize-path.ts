import type { Context, Middleware } from 'koa';
import { InvalidRequestError, ResourceServerConfigError } from '../errors.ts';
import { sendError } from '../http/send-error.ts';

/** Options of {@link normalizePath}. */
export interface NormalizePathOptions {
  /**
   * Realm of the `WWW-Authenticate` challenge sent with the 400, as every other RFC 6750 error of
   * this package carries one (use the resource server's realm, by default its audience). Unset:
   * the 400 has no challenge.
   */
  realm?: string;
}

// Fixed sentences: a description never echoes the request.
const problems = {
  form: 'the request target must be an absolute path',
  characters: 'the request path contains a space, control, non-ASCII or # character',
  encoding: 'the request path is not valid percent-encoded UTF-8',
  slash: 'the request path contains a backslash or an encoded slash',
  empty: 'the request path contains an empty segment (//)',
  dot: 'the request path contains a dot segment (. or ..)',
  control: 'the request path encodes a control character',
  double: 'the request path is percent-encoded twice',
} as const;

// Printable ASCII without `#` (a fragment is never part of a request target) and without `\`.
const plainTarget = /^[\x21\x22\x24-\x5b\x5d-\x7e]*$/;
const absoluteForm = /^https?:\/\/[^/?]*/i;
// A segment that is `.` or `..`, optionally followed by `;params` (servlet containers and some
// proxies cut there, so `..;` is `..` to them).
const dotSegment = /(?:^|\/)\.\.?(?:;[^/]*)?(?:\/|$)/;
// Characters some layer may still decode or fold after us.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;
const encodedAgain = /%(?:2e|2f|5c|25|[01][0-9a-f]|7f)/i;

function requestPath(target: string): string | undefined {
  const query = target.indexOf('?');
  const beforeQuery = query === -1 ? target : target.slice(0, query);
  if (beforeQuery.startsWith('/')) return beforeQuery;
  // The absolute-form a client may send (RFC 9112 §3.2.2): judge its path like any other.
  const authority = absoluteForm.exec(beforeQuery);
  if (authority === null) return undefined;
  return beforeQuery.slice(authority[0].length) || '/';
}

function decodedProblem(path: string): string | undefined {
  let decoded: string;
  try {
    // Throws on a stray `%`, and on invalid or overlong UTF-8 (`%c0%ae`, an old way to spell `.`).
    decoded = decodeURIComponent(path);
  } catch {
    return problems.encoding;
  }
  if (/%(?:2f|5c)/i.test(path)) return problems.slash;
  if (controlCharacter.test(decoded)) return problems.control;
  if (encodedAgain.test(decoded)) return problems.double;
  // Compatibility forms (fullwidth `．` and `／`, the one- and two-dot leaders) become `.` and `/`
  // in any layer that applies NFKC; refuse what would turn into a dot segment or a slash there.
  const folded = decoded.normalize('NFKC');
  if (folded.includes('\\')) return problems.slash;
  const segments = path.split('/').map((segment) => decodeURIComponent(segment).normalize('NFKC'));
  if (segments.some((segment) => segment.includes('/'))) return problems.slash;
  if (dotSegment.test(segments.join('/'))) return problems.dot;
  return undefined;
}

/**
 * Why `target` (the raw request target) is not a normal path, or `undefined` when it is.
 * `routedPath` is the path Koa (and so the router) sees; it must be the one judged here.
 */
function pathProblem(target: string, routedPath: string): string | undefined {
  if (!plainTarget.test(target)) {
    return target.includes('\\') ? problems.slash : problems.characters;
  }
  const path = requestPath(target);
  if (path === undefined || path !== routedPath) return problems.form;
  if (path.includes('//')) return problems.empty;
  if (dotSegment.test(path)) return problems.dot;
  // Most paths have no `%`: the checks above were all they needed.
  return path.includes('%') ? decodedProblem(path) : undefined;
}

const realmPattern = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;

function sendInvalidRequest(ctx: Context, description: string, realm: string | undefined): void {
  const error = new InvalidRequestError(description);
  if (realm !== undefined) {
    sendError(ctx, error, realm);
    return;
  }
  ctx.status = error.status;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { error: error.error, error_description: error.description };
}

/**
 * Refuses, with 400 `invalid_request`, request paths that different layers could read as
 * different routes, so that `/notes/../admin` cannot reach `/admin` past the rules of `/notes`
 * (or the other way round): dot segments (`.`, `..`, also as `%2e`, `..;`, or fullwidth),
 * encoded slashes and backslashes (`%2f`, `%5c`), raw backslashes, empty segments (`//`), NUL
 * and other control characters (raw or encoded), malformed percent-encoding or UTF-8, double
 * encoding (`%252e`), and raw spaces, `#` or non-ASCII. A trailing slash and the query string are
 * left alone. Mount it first, before any router: it checks the raw request target, which is what
 * the router will match.
 *
 * Paths are case-sensitive (RFC 3986), and this middleware does not change case. Route with a
 * case-sensitive router (`new Router({ sensitive: true })`: `@koa/router` matches without regard
 * to case by default), and hang rules on routes rather than on path prefixes, so `/NOTES` is
 * either the route `/notes` with its rules or no route at all.
 *
 * @example
 * const app = new Koa();
 * app.use(normalizePath({ realm: 'https://api.example.com' }));
 * app.use(router.routes());
 */
export function normalizePath(options: NormalizePathOptions = {}): Middleware {
  if (typeof options !== 'object' || options === null) {
    throw new ResourceServerConfigError('normalizePath', 'options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (key !== 'realm')
      throw new ResourceServerConfigError(`normalizePath.${key}`, 'unknown option');
  }
  const { realm } = options;
  if (realm !== undefined && (typeof realm !== 'string' || !realmPattern.test(realm))) {
    throw new ResourceServerConfigError(
      'normalizePath.realm',
      'must be printable ASCII without " or \\',
    );
  }
  return function normalizePathMiddleware(ctx, next) {
    const problem = pathProblem(ctx.req.url ?? '', ctx.path);
    if (problem === undefined) return next();
    sendInvalidRequest(ctx, problem, realm);
    return Promise.resolve();
  };
}
