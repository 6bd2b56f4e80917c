import { isDatabaseUnavailable } from '@portcullis/storage';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ClientAuthLimits } from '../limits/client-auth-limits.ts';
import type { DeviceCodeLimits } from '../limits/device-code-limits.ts';
import { instrumentProvider, PROVIDER_ERROR_EVENTS } from '../observability/instrument-provider.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { ClientRegistry } from '../registry/client-registry.ts';
import { afterAnswer } from './after-response.ts';
import { secureAutoSubmitPages } from './auto-submit-pages.ts';
import { observeBackchannelLogout } from './backchannel-logout.ts';
import { cacheMetadata } from './cache-metadata.ts';
import { CLIENT_AUTH_EVENTS, limitClientAuthentication } from './limit-client-authentication.ts';
import { limitUserCodes } from './limit-user-codes.ts';
import { type AuditRecorder, auditRefreshReuse } from './refresh-reuse-audit.ts';
import { requestContextMiddleware } from './request-context.ts';
import { type JwtRevocationDeps, revokeJwtAccessTokens } from './revoke-jwt-access-tokens.ts';
import { auditTokenExchanges } from './token-exchange-audit.ts';
import { answerUnavailable } from './unavailable.ts';

/** What {@link useProviderPipeline} needs. */
export interface PipelineDeps {
  clients: Pick<ClientRegistry, 'recordUse'>;
  clientAuthLimits: ClientAuthLimits;
  deviceCodeLimits: DeviceCodeLimits;
  audit: AuditRecorder;
  metrics: Metrics;
  logger: Logger;
  /** RFC 7009 revocation of JWT access tokens, published on the revocation feed. */
  jwtRevocation: JwtRevocationDeps;
}

// A listener of any of oidc-provider's events; its typings take event names one literal at a time.
type Listener = Parameters<NodeJS.EventEmitter['on']>[1];

/**
 * Registers every middleware and event listener of ours on one oidc-provider instance, in
 * order; call it once for every instance built (a key rotation builds a new one). Middleware
 * runs outermost first on the way in and last on the way out, so a rewrite sees the status and
 * body left by the ones registered after it: the 503 of an outage must win over everything, and
 * the audit and the limits must see oidc-provider's own answer.
 *
 * @example
 * const provider = createProvider(deps);
 * useProviderPipeline(provider, { clients, clientAuthLimits, deviceCodeLimits, audit, metrics, logger, jwtRevocation });
 */
export function useProviderPipeline(provider: Provider, deps: PipelineDeps): void {
  const { logger } = deps;
  const on = (event: string, listener: Listener) =>
    (provider as unknown as NodeJS.EventEmitter).on(event, listener);
  const unavailable = answerUnavailable();
  const reuse = auditRefreshReuse(deps.audit);
  const exchanges = auditTokenExchanges(deps.audit);
  const clientAuth = limitClientAuthentication(deps.clientAuthLimits);
  const instruments = instrumentProvider(deps.metrics, logger);

  // 1. Outage: may rewrite status and body to 503 temporarily_unavailable; Retry-After on a 503.
  provider.use(unavailable.middleware);
  // 2. Held writes: may rewrite a 200 to 400 invalid_grant (a lost race), or throw (→ 503 by 1).
  provider.use(requestContextMiddleware());
  // 3 to 7 act once oidc-provider has answered, in one layer (after-response.ts): each as if it
  // were a middleware of its own, registered in this order.
  provider.use(
    afterAnswer(
      // 3. Introspection: may rewrite 400 unsupported_token_type to 200 {"active": false}.
      answerUnknownTokensInactive,
      // 3b. Revocation: may rewrite 400 unsupported_token_type (a JWT access token) to 200, after
      //     publishing its jti on the revocation feed when it is the caller's (or throw → 503 by 1).
      revokeJwtAccessTokens(deps.jwtRevocation),
      // 4. Audit: writes refresh_token.reuse_detected and the token exchanges; rewrites nothing.
      reuse.settle,
      exchanges.settle,
      // 5. Client-auth limits: counts failures; may rewrite 401 to 429 with Retry-After.
      clientAuth.settle,
      // 7. Headers: our page headers on oidc-provider's auto-submit pages; Cache-Control on
      //    discovery and the JWKS. Change no status or body.
      secureAutoSubmitPages,
      cacheMetadata,
    ),
  );
  // 6. Metrics and the access line: reads route, client, status and body once the request is
  //    answered; rewrites nothing.
  provider.use(instruments.middleware);
  // 8. User-code limits: may answer the device page's form 429 before oidc-provider reads it
  //    (3 to 7 still act on that answer).
  provider.use(limitUserCodes(deps.deviceCodeLimits, provider.pathFor('code_verification')));

  // Listeners, each only noting or counting; none changes the answer by itself.
  // An outage, for 1.
  on('server_error', unavailable.onServerError);
  // Every token response, public clients' included, is a use of the client (`clients list`).
  on('grant.success', (ctx: KoaContextWithOIDC) => {
    const clientId = ctx.oidc?.client?.clientId;
    if (clientId) deps.clients.recordUse(clientId);
  });
  // The log line of a 500 (an outage is a warning, without a stack for every request).
  on('server_error', (ctx: Koa.Context, error: Error) => {
    if (isDatabaseUnavailable(error)) {
      logger.warn('database unavailable', { path: ctx.path, error: error.message });
      return;
    }
    logger.error('server error', { path: ctx.path, method: ctx.method, error: error.stack });
  });
  // A refresh token reused, as the adapter signalled it, for 4.
  on('grant.error', reuse.onGrantError);
  // A token exchange, issued or refused, for 4.
  on('grant.success', exchanges.onGrantSuccess);
  on('grant.error', exchanges.onGrantError);
  // A failed client authentication, for 5.
  for (const [event, endpoint] of Object.entries(CLIENT_AUTH_EVENTS)) {
    on(event, clientAuth.onError(endpoint));
  }
  // Metrics: tokens issued, OAuth errors by route and code, and failures Koa would print.
  on('grant.success', instruments.onGrantSuccess);
  for (const event of PROVIDER_ERROR_EVENTS) on(event, instruments.onError(event));
  on('error', instruments.onUnhandled);
  // Logout tokens sent to clients: counted; a failed delivery logged (it never fails the logout).
  const logouts = observeBackchannelLogout(deps.metrics, logger);
  on('backchannel.success', logouts.onSuccess);
  on('backchannel.error', logouts.onError);
}

// JWT access tokens are not stored, so oidc-provider cannot introspect them and answers 400
// unsupported_token_type. docs/security.md ("Revocation and introspection"): introspection says
// only {"active": false} about a token it cannot vouch for; resource servers verify JWTs
// themselves.
function answerUnknownTokensInactive(ctx: Koa.Context): undefined {
  if (
    (ctx as Partial<KoaContextWithOIDC>).oidc?.route === 'introspection' &&
    ctx.status === 400 &&
    (ctx.body as { error?: string } | undefined)?.error === 'unsupported_token_type'
  ) {
    ctx.status = 200;
    ctx.body = { active: false };
  }
}
