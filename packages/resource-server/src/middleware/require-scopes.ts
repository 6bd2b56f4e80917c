import type { Middleware } from 'koa';
import { scopeRefusal } from '../core/refusal.ts';
import { ResourceServerConfigError } from '../errors.ts';
import { stateChallenge } from '../http/realm-state.ts';
import { sendResponse } from '../http/send-error.ts';
import type { OptionalAuthState } from '../types.ts';

// RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`.
const scopeTokenPattern = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Koa middleware that lets the request through only when the verified token grants every one of
 * `scopes`, compared exactly (`notes:readx` does not satisfy `notes:read`). Mount it after
 * `rs.authenticate()`. Answers 403 `insufficient_scope` with `scope="<all required scopes>"`,
 * or 401 when optional authentication found no token. Mounting it without `authenticate()` in
 * front is a programming error and throws (a 500), so a route never becomes public by mistake.
 * Scope names are validated here, at start-up.
 *
 * @example
 * router.post('/notes', rs.authenticate(), requireScopes('notes:write'), createNote);
 */
export function requireScopes(...scopes: string[]): Middleware<OptionalAuthState> {
  if (scopes.length === 0) throw new ResourceServerConfigError('scopes', 'name at least one scope');
  for (const scope of scopes) {
    if (typeof scope !== 'string' || !scopeTokenPattern.test(scope)) {
      throw new ResourceServerConfigError(
        'scopes',
        'each scope must be a non-empty string of printable ASCII without spaces, " or \\',
      );
    }
  }
  const required = Object.freeze([...new Set(scopes)]);

  return async function requireScopesMiddleware(ctx, next) {
    const challenge = stateChallenge(ctx.state);
    if (challenge === undefined) {
      throw new Error('requireScopes() needs rs.authenticate() earlier in the middleware chain');
    }
    const refusal = scopeRefusal(required, ctx.state.auth, challenge);
    if (refusal !== undefined) return sendResponse(ctx, refusal);
    await next();
  };
}
