import { scopeRefusal } from '../core/refusal.ts';
import { stateChallenge } from '../http/realm-state.ts';
import { writeNodeResponse } from '../http/write-node-response.ts';
import { toScopeList } from '../rules/scope-list.ts';
import type { ExpressMiddleware } from './types.ts';

/**
 * Express middleware that lets the request through only when the verified token grants every one
 * of `scopes`, compared exactly; 403 `insufficient_scope` naming them all otherwise, 401 when
 * optional authentication found no token. Mount it after `rs.authenticate()`: without it, it
 * passes an error to `next` (a 500), so a route never becomes public by mistake.
 *
 * @example
 * app.post('/notes', rs.authenticate(), requireScopes('notes:write'), createNote);
 */
export function requireScopes(...scopes: string[]): ExpressMiddleware {
  const required = toScopeList('scopes', scopes);
  return function requireScopesMiddleware(_req, res, next) {
    const challenge = stateChallenge(res.locals);
    if (challenge === undefined) {
      next(new Error('requireScopes() needs rs.authenticate() earlier in the middleware chain'));
      return;
    }
    const refusal = scopeRefusal(required, res.locals.auth, challenge);
    if (refusal === undefined) next();
    else writeNodeResponse(res, refusal);
  };
}
