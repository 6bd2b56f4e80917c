import { checkRules } from './check-rules.ts';
import type { Rule, Verdict } from './rule.ts';
import { isSafeMethod } from './safe-methods.ts';
import { allowed, unauthenticated } from './verdicts.ts';

const allow = allowed();

/**
 * Safe methods (GET, HEAD, OPTIONS) pass with or without a token; every other method needs a
 * valid token and, when given, `writeRule` too (DRF's `IsAuthenticatedOrReadOnly`; with a
 * `writeRule`, DRF's `IsAuthenticatedOrReadOnly & TokenHasScope` on writes). Mount it after
 * `authenticate({ optional: true })`: a presented token is still verified, and a bad one still
 * answers 401, even on a GET.
 *
 * @example
 * // anyone may read the posts; writing needs a token with posts:write
 * const posts = authenticatedOrReadOnly(allOf('posts:write'));
 * router.get('/posts', rs.authenticate({ optional: true }), permit(posts), listPosts);
 * router.post('/posts', rs.authenticate({ optional: true }), permit(posts), createPost);
 */
export function authenticatedOrReadOnly(writeRule?: Rule): Rule {
  const [write] =
    writeRule === undefined ? [] : (checkRules('authenticatedOrReadOnly', [writeRule]) as [Rule]);
  return {
    evaluate(request, auth): Verdict | Promise<Verdict> {
      if (isSafeMethod(request.method)) return allow;
      if (auth === undefined) return unauthenticated;
      return write === undefined ? allow : write.evaluate(request, auth);
    },
  };
}
