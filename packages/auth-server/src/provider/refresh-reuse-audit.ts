import type { NewAuditEvent } from '@portcullis/storage';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { type AnswerStep, afterResponse } from './after-response.ts';
import { currentRequest } from './request-context.ts';

/** The part of the audit trail (services/audit.ts) this needs; it never throws. */
export interface AuditRecorder {
  record(event: NewAuditEvent): Promise<void>;
}

/** Audits refresh-token reuse; see {@link auditRefreshReuse}. */
export interface RefreshReuseAudit {
  /** `grant.error` listener: notes the event when the adapter signalled a reuse. */
  onGrantError(ctx: KoaContextWithOIDC, error: { error?: unknown }): void;
  /** The step of `afterAnswer` (after-response.ts): writes the noted event before the response leaves. */
  readonly settle: AnswerStep;
}

/**
 * Records `refresh_token.reuse_detected` whenever the token endpoint refuses a refresh token
 * because it was already used, as the adapter signals it in the request context: after the grace
 * window oidc-provider has just revoked the whole grant (`grant_revoked: true`); within it the
 * adapter refused the token and the grant lives on. The event is written before the response
 * leaves.
 *
 * @example
 * const reuse = auditRefreshReuse(createAuditTrail({ db, logger }));
 * provider.on('grant.error', reuse.onGrantError);
 * provider.use(afterAnswer(reuse.settle));
 */
export function auditRefreshReuse(audit: AuditRecorder): RefreshReuseAudit {
  const pending = afterResponse<NewAuditEvent>((_ctx, event) => audit.record(event));
  return {
    onGrantError(ctx, error) {
      const reuse = currentRequest()?.refreshTokenReuse;
      // invalid_grant: the refusal itself, not a database lost while revoking the grant.
      if (!reuse || error?.error !== 'invalid_grant') return;
      if (ctx.oidc?.params?.grant_type !== 'refresh_token') return;
      const token = ctx.oidc.entities.RefreshToken;
      const clientId = ctx.oidc.client?.clientId ?? token?.clientId ?? null;
      pending.note(ctx, {
        type: 'refresh_token.reuse_detected',
        actor: clientId ? `client:${clientId}` : 'anonymous',
        clientId,
        subject: token?.accountId ?? null,
        address: ctx.ip,
        details:
          reuse === 'grant_revoked'
            ? { grant_revoked: true, grant_id: token?.grantId }
            : { grant_revoked: false, within_grace_window: true },
      });
    },
    settle: pending.settle,
  };
}
