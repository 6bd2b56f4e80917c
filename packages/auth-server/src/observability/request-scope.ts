import { RequestLocal } from '../request-locals.ts';

/** What the server knows of the request being served, for its log lines and metrics. */
export interface RequestScope {
  /** The request id: echoed in `X-Request-Id` and on every log line written for the request. */
  readonly id: string;
  /** A fixed route name (never a raw path), once known. */
  route: string;
  /** The registered client the request was made by, once known. */
  clientId?: string;
  /**
   * The OAuth error the request was answered with (`invalid_grant`, ...), its description and
   * oidc-provider's detail (never sent to the client: "authorization code not found"), once
   * known: for the access line, which must say why a request was refused.
   */
  oauthError?: { error: string; description?: string; detail?: string };
  /**
   * Brings `route` and `clientId` up to date from whoever handles the request (oidc-provider
   * knows its route as soon as it has routed, long before it answers). Called before logging.
   */
  refine?: () => void;
}

const scopes = new RequestLocal<RequestScope>();

/**
 * Runs `fn` with `scope` as the current request, for everything it starts (awaits, timers,
 * events emitted in its course).
 *
 * @example
 * runInRequestScope({ id: 'abc', route: 'token' }, () => handler(req, res));
 */
export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return scopes.run(scope, fn);
}

/**
 * The request being served, if any.
 *
 * @example
 * const scope = currentRequestScope();
 * if (scope) scope.clientId = 'my-client';
 */
export function currentRequestScope(): RequestScope | undefined {
  return scopes.get();
}
