import {
  createAuditRepository,
  createGrantsRepository,
  createUsersRepository,
  type Database,
  type NewAuditEvent,
} from '@portcullis/storage';
import { asUsername } from '../domain/users.ts';
import type { Logger } from '../observability/logger.ts';

/** Where a sign-in happened: the login step of an authorization, or the account page. */
export type SignInVia = 'authorization' | 'account';

/**
 * The audit trail as the authorization server writes it. No method ever throws: an event that
 * cannot be written is logged (its type, never its details) and the request it describes goes on.
 *
 * @example
 * const audit = createAuditTrail({ db, logger });
 * await audit.signInFailed({ username: form.username, address: ctx.ip, via: 'account' });
 */
export function createAuditTrail(deps: { db: Database; logger: Logger }) {
  const events = createAuditRepository(deps.db);
  const users = createUsersRepository(deps.db);
  const grants = createGrantsRepository(deps.db);

  const failed = (what: string, error: unknown, fields: Record<string, unknown> = {}) =>
    deps.logger.error(what, {
      ...fields,
      error: error instanceof Error ? error.message : 'failed',
    });

  const record = async (event: NewAuditEvent): Promise<void> => {
    try {
      await events.record(event);
    } catch (error) {
      failed('could not record an audit event', error, { type: event.type });
    }
  };

  return {
    record,

    /**
     * `signin.failed`. The attempted name is kept (with the user's id as subject) only when it
     * names a user: people type passwords into the username field, and an unknown name is
     * worth nothing to an operator but may be exactly that. The password never comes here.
     */
    async signInFailed(attempt: {
      username: string;
      address: string;
      via: SignInVia;
      clientId?: string;
    }): Promise<void> {
      const name = asUsername(attempt.username);
      let user: Awaited<ReturnType<typeof users.findByUsername>>;
      try {
        user = name === undefined ? undefined : await users.findByUsername(name);
      } catch (error) {
        failed('could not look up the user of a failed sign-in', error);
      }
      await record({
        type: 'signin.failed',
        actor: 'anonymous',
        clientId: attempt.clientId ?? null,
        subject: user?.id ?? null,
        address: attempt.address,
        details: user
          ? {
              via: attempt.via,
              username: user.username,
              ...(user.disabledAt ? { disabled: true } : {}),
            }
          : { via: attempt.via, unknown_user: true },
      });
    },

    /** The client and account of a grant, read before revoking it so the event can name them. */
    async grantParties(
      grantId: string,
    ): Promise<{ clientId: string; accountId: string } | undefined> {
      try {
        const grant = await grants.find(grantId);
        return grant ? { clientId: grant.clientId, accountId: grant.accountId } : undefined;
      } catch (error) {
        failed('could not read the grant for the audit trail', error);
        return undefined;
      }
    },
  };
}

/** The trail {@link createAuditTrail} returns. */
export type AuditTrail = ReturnType<typeof createAuditTrail>;
