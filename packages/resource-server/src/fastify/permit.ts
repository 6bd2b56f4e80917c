import type { FastifyRequest } from 'fastify';
import { scopeRefusal, verdictRefusal } from '../core/refusal.ts';
import { ResourceServerConfigError } from '../errors.ts';
import { stateChallenge } from '../http/realm-state.ts';
import { owner as anyOwner } from '../rules/owner.ts';
import type { Rule as GenericRule } from '../rules/rule.ts';
import { toScopeList } from '../rules/scope-list.ts';
import { sendResponse } from './send-response.ts';
import type { FastifyHook } from './types.ts';

/** A rule evaluated against the Fastify request (`request.params`, `request.query`, ...). */
export type Rule = GenericRule<FastifyRequest>;

const notAuthenticated = (name: string) =>
  new Error(`${name}() needs rs.authenticate() earlier in the hooks of the route`);

/**
 * A hook that lets the request through only when the verified token grants every one of `scopes`,
 * compared exactly; 403 `insufficient_scope` naming them all otherwise, 401 when optional
 * authentication found no token. Put it after `rs.authenticate()` in the same hook list.
 *
 * @example
 * app.post('/notes', { onRequest: [rs.authenticate(), requireScopes('notes:write')] }, createNote);
 */
export function requireScopes(...scopes: string[]): FastifyHook {
  const required = toScopeList('scopes', scopes);
  return function requireScopesHook(request, reply, done) {
    const challenge = stateChallenge(request);
    if (challenge === undefined) return done(notAuthenticated('requireScopes'));
    const refusal = scopeRefusal(required, request.auth, challenge);
    if (refusal === undefined) done();
    else sendResponse(reply, refusal);
  };
}

/**
 * Turns a rule into a hook, with the answers of the Koa `permit`: 401 without a token, 403
 * `insufficient_scope` naming the scopes that would satisfy the rule, or 403 `forbidden` when no
 * scope would help. Put it after `rs.authenticate()`.
 *
 * @example
 * app.get('/notes', { onRequest: [rs.authenticate(), permit(resourceScope('notes'))] }, listNotes);
 */
export function permit(rule: Rule): FastifyHook {
  if (typeof (rule as Rule | null)?.evaluate !== 'function') {
    throw new ResourceServerConfigError(
      'permit',
      'give a rule (an object with an evaluate function)',
    );
  }
  return function permitHook(request, reply, done) {
    const challenge = stateChallenge(request);
    if (challenge === undefined) return done(notAuthenticated('permit'));
    const { auth } = request;
    Promise.resolve(rule.evaluate(request, auth)).then(
      (verdict) => {
        const refusal = verdictRefusal(verdict, auth, challenge);
        if (refusal === undefined) done();
        else sendResponse(reply, refusal);
      },
      (error: Error) => done(error),
    );
  };
}

/**
 * Object-level permission on the Fastify request: `getOwnerId(request)` looks up the owner of the
 * resource, and the token's `sub` must equal it; 403 `forbidden` otherwise.
 *
 * @example
 * const noteOwner = owner(async (request) => (await notes.get((request.params as { id: string }).id))?.owner);
 */
export function owner(
  getOwnerId: (
    request: FastifyRequest,
  ) => string | null | undefined | Promise<string | null | undefined>,
): Rule {
  return anyOwner(getOwnerId);
}
