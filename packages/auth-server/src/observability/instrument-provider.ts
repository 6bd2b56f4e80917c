import type Koa from 'koa';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { currentRequestScope, type RequestScope } from './request-scope.ts';
import { providerRouteName } from './route-names.ts';

// oidc-provider's error events, one per route family (`server_error` for every 500).
export const PROVIDER_ERROR_EVENTS = [
  'authorization.error',
  'backchannel_authentication.error',
  'code_verification.error',
  'device_authorization.error',
  'device_resume.error',
  'discovery.error',
  'end_session.error',
  'end_session_confirm.error',
  'end_session_success.error',
  'grant.error',
  'introspection.error',
  'jwks.error',
  'pushed_authorization_request.error',
  'registration_create.error',
  'registration_delete.error',
  'registration_read.error',
  'registration_update.error',
  'revocation.error',
  'userinfo.error',
  'server_error',
] as const;

/**
 * `{ error, description, detail }` of an OAuth error body (`{"error": "invalid_grant", ...}`) or
 * of oidc-provider's error (whose `error_detail` says why, for the server's eyes only).
 */
function oauthErrorOf(value: unknown): RequestScope['oauthError'] {
  const { error, error_description, error_detail } = (value ?? {}) as Record<string, unknown>;
  if (typeof error !== 'string') return undefined;
  return {
    error,
    ...(typeof error_description === 'string' ? { description: error_description } : {}),
    ...(typeof error_detail === 'string' && error_detail !== error_description
      ? { detail: error_detail }
      : {}),
  };
}

interface OidcContext {
  oidc?: {
    client?: { clientId?: string };
    params?: { grant_type?: unknown };
  };
}

/** What {@link instrumentProvider} hands the provider pipeline to register. */
export interface ProviderInstruments {
  /** Provider middleware: lets the access line name the route and client, and the error. */
  readonly middleware: Koa.Middleware;
  /** `grant.success` listener: counts the token issued by grant type and client. */
  onGrantSuccess(ctx: Koa.Context): void;
  /** The listener of one of {@link PROVIDER_ERROR_EVENTS}: counts the OAuth error. */
  onError(event: string): (ctx: Koa.Context, error: unknown) => void;
  /** Koa's `error` listener: a failure that escaped oidc-provider's own handling. */
  onUnhandled(error: Error & { status?: number; expose?: boolean }): void;
}

/**
 * Feeds one oidc-provider instance's requests and events into the metrics and the request's
 * scope: its route name and client for the access log, successful token responses by grant type
 * and client, and OAuth errors by route and code. Errors that escape oidc-provider's own
 * handling (a client that hangs up mid-body) go to `logger` instead of Koa's console output.
 * Registered on every instance (a key rotation builds a new one) by provider/pipeline.ts.
 *
 * @example
 * const instruments = instrumentProvider(metrics, logger);
 * provider.use(instruments.middleware);
 * provider.on('grant.success', instruments.onGrantSuccess);
 */
export function instrumentProvider(metrics: Metrics, logger: Logger): ProviderInstruments {
  return {
    middleware(ctx, next) {
      const scope = currentRequestScope();
      if (scope) {
        scope.refine = () => {
          scope.route = providerRouteName(ctx);
          const clientId = (ctx as OidcContext).oidc?.client?.clientId;
          if (clientId) scope.clientId = clientId;
          // The error answered wins over the one of the event, which what ran after
          // oidc-provider may have replaced (503 temporarily_unavailable, a lost race's
          // invalid_grant); a redirect or an HTML error page keeps the event's. A success had
          // no error after all.
          if (ctx.status < 300) delete scope.oauthError;
          else if (ctx.status >= 400) {
            const answered = oauthErrorOf(ctx.body);
            if (answered && answered.error !== scope.oauthError?.error) scope.oauthError = answered;
          }
        };
      }
      return next();
    },

    onGrantSuccess(ctx: Koa.Context & OidcContext) {
      const grantType = ctx.oidc?.params?.grant_type;
      const clientId = ctx.oidc?.client?.clientId;
      if (typeof grantType === 'string' && clientId) metrics.tokenIssued(grantType, clientId);
    },

    onError: (event) => (ctx, error) => {
      const route = providerRouteName(ctx);
      const code =
        event === 'server_error' ? 'server_error' : (error as { error?: unknown })?.error;
      // A JWT access token cannot be introspected by oidc-provider; the server answers
      // {"active": false} with a 200 for it (provider/pipeline.ts), which is not an error for
      // the caller.
      if (route === 'introspection' && code === 'unsupported_token_type') return;
      metrics.oauthError(route, String(code));
      const scope = currentRequestScope();
      if (scope) {
        scope.oauthError =
          event === 'server_error'
            ? { error: 'server_error' }
            : (oauthErrorOf(error) ?? { error: String(code) });
      }
    },

    // Koa prints these with console.error when nobody listens; same filter as Koa's own.
    onUnhandled(error) {
      if (error.status === 404 || error.expose) return;
      logger.warn('request failed', { error: error.message, status: error.status });
    },
  };
}
