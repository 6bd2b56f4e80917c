import { InvalidRequestError, ResourceServerConfigError } from '../errors.ts';
import { type ErrorResponse, errorResponse } from './error-response.ts';

/** Options of every adapter's `normalizePath`. */
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

/**
 * The path of a request target (origin-form or absolute-form), without the query; undefined for
 * any other form.
 *
 * @example
 * requestPath('http://api.example.com/notes?x=1'); // '/notes'
 */
export function requestPath(target: string): string | undefined {
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
export function pathProblem(target: string, routedPath: string): string | undefined {
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

/**
 * Validates the options of any adapter's `normalizePath` at start-up and returns the realm.
 *
 * @example
 * const realm = resolveNormalizePath({ realm: 'https://api.example.com' });
 */
export function resolveNormalizePath(options: NormalizePathOptions): string | undefined {
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
  return realm;
}

/**
 * The 400 `invalid_request` answer to a path {@link pathProblem} refused: with a bare-Bearer
 * challenge when a realm is configured, without one otherwise.
 *
 * @example
 * const answer = pathRefusal(problem, 'https://api.example.com');
 */
export function pathRefusal(description: string, realm: string | undefined): ErrorResponse {
  const error = new InvalidRequestError(description);
  if (realm !== undefined) {
    return errorResponse(error, { realm, settings: undefined, dpopUsed: false });
  }
  return {
    status: error.status,
    headers: { 'cache-control': 'no-store' },
    body: { error: error.error, error_description: error.description },
  };
}
