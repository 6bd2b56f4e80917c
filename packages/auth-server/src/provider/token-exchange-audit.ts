import type { NewAuditEvent } from '@portcullis/storage';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { TOKEN_EXCHANGE_GRANT } from '../domain/grants.ts';
import { type AnswerStep, afterResponse } from './after-response.ts';
import type { AuditRecorder } from './refresh-reuse-audit.ts';
import { actorIds } from './subject-token.ts';

/** Audits token exchanges; see {@link auditTokenExchanges}. */
export interface TokenExchangeAudit {
  /** `grant.success` listener: notes a token issued by token exchange. */
  onGrantSuccess(ctx: KoaContextWithOIDC): void;
  /** `grant.error` listener: notes a refused token exchange. */
  onGrantError(ctx: KoaContextWithOIDC, error: { error?: unknown }): void;
  /** The step of `afterAnswer` (after-response.ts): writes the noted event before the response leaves. */
  readonly settle: AnswerStep;
}

// The parts of the issued token the event describes; never its value (an opaque token's value
// is its jti, so that is left out too).
interface ExchangedToken {
  accountId?: string;
  clientId?: string;
  scope?: string;
  aud?: string | string[];
  exp?: number;
  extra?: { act?: Parameters<typeof actorIds>[0] };
}

/**
 * Records `token.exchanged` for every access token issued by token exchange (RFC 8693): the user
 * (`subject`), the exchanging client, the resource, the scope, the actor chain (client ids,
 * outermost first) and the expiry; and `token.exchange_refused` with the OAuth error code for a
 * refusal to an authenticated client. No token value, subject or issued, is ever recorded.
 *
 * @example
 * const exchanges = auditTokenExchanges(audit);
 * provider.on('grant.success', exchanges.onGrantSuccess);
 * provider.on('grant.error', exchanges.onGrantError);
 * provider.use(afterAnswer(exchanges.settle));
 */
export function auditTokenExchanges(audit: AuditRecorder): TokenExchangeAudit {
  const pending = afterResponse<NewAuditEvent>((_ctx, event) => audit.record(event));
  const isExchange = (ctx: KoaContextWithOIDC) =>
    ctx.oidc?.params?.grant_type === TOKEN_EXCHANGE_GRANT;
  return {
    onGrantSuccess(ctx) {
      if (!isExchange(ctx)) return;
      const token = ctx.oidc.entities.AccessToken as ExchangedToken | undefined;
      const clientId = ctx.oidc.client?.clientId ?? null;
      pending.note(ctx, {
        type: 'token.exchanged',
        actor: clientId ? `client:${clientId}` : 'anonymous',
        clientId,
        subject: token?.accountId ?? null,
        address: ctx.ip,
        details: {
          resource: Array.isArray(token?.aud) ? token.aud[0] : token?.aud,
          scope: token?.scope,
          actors: actorIds(token?.extra?.act),
          ...(token?.exp ? { expires_at: new Date(token.exp * 1000).toISOString() } : {}),
        },
      });
    },
    onGrantError(ctx, error) {
      const clientId = ctx.oidc?.client?.clientId;
      // An unauthenticated request is the client-authentication limits' business.
      if (!isExchange(ctx) || !clientId || typeof error?.error !== 'string') return;
      pending.note(ctx, {
        type: 'token.exchange_refused',
        actor: `client:${clientId}`,
        clientId,
        subject: null,
        address: ctx.ip,
        details: {
          error: error.error,
          ...(typeof ctx.oidc.params?.resource === 'string'
            ? { resource: ctx.oidc.params.resource }
            : {}),
        },
      });
    },
    settle: pending.settle,
  };
}
