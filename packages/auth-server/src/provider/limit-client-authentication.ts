import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ClientAuthLimits } from '../limits/client-auth-limits.ts';
import { type AnswerStep, afterResponse } from './after-response.ts';

/**
 * oidc-provider's error event of every endpoint that authenticates clients, and the endpoint's
 * name in audit events. Each is emitted with the request's context and the error, before the
 * response leaves.
 */
export const CLIENT_AUTH_EVENTS: Readonly<Record<string, string>> = {
  'grant.error': 'token',
  'introspection.error': 'introspection',
  'revocation.error': 'revocation',
  'device_authorization.error': 'device_authorization',
  'pushed_authorization_request.error': 'pushed_authorization_request',
};

/** The limits applied to one provider; see {@link limitClientAuthentication}. */
export interface ClientAuthLimiter {
  /** The listener of `endpoint`'s error event: notes a failed client authentication. */
  onError(endpoint: string): (ctx: KoaContextWithOIDC, error: { error?: unknown }) => void;
  /** The step of `afterAnswer` (after-response.ts): counts the noted failure, and answers 429 once over the limit. */
  readonly settle: AnswerStep;
}

/**
 * Applies the limits to a provider's client authentication: a failed one (`invalid_client`, on
 * any endpoint that authenticates clients) is counted per registered client and per address, and
 * once either is over its limit the failure is answered 429 with `Retry-After` instead of 401.
 * The body stays the wrong-credentials one (`{"error":"invalid_client","error_description":
 * "client authentication failed"}`): RFC 6749 has no error code for "too many attempts", and a
 * locked attempt must read the same as a wrong one.
 *
 * @example
 * const clientAuth = limitClientAuthentication(limits.clientAuth);
 * provider.on('grant.error', clientAuth.onError('token'));
 * provider.use(afterAnswer(clientAuth.settle));
 */
export function limitClientAuthentication(limits: ClientAuthLimits): ClientAuthLimiter {
  const failures = afterResponse<{ clientId?: string; endpoint: string }>(async (ctx, failure) => {
    const retryAfter = await limits.failed({ ...failure, address: ctx.ip });
    if (retryAfter === undefined) return;
    ctx.status = 429;
    ctx.set('Retry-After', String(retryAfter));
    // A challenge belongs to a 401; 429 asks the client to wait, not to authenticate differently.
    ctx.remove('WWW-Authenticate');
  });
  return {
    onError: (endpoint) => (ctx, error) => {
      if (error?.error !== 'invalid_client') return;
      // Set only once the client was found: unknown ids are counted by address alone.
      failures.note(ctx, { clientId: ctx.oidc?.client?.clientId, endpoint });
    },
    settle: failures.settle,
  };
}
