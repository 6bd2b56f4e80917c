import { randomBytes } from 'node:crypto';
import {
  createAuditRepository,
  createUsersRepository,
  createUserTokensRepository,
  type Database,
  type NewAuditEvent,
  type UserRecord,
  type UserTokenPurpose,
} from '@portcullis/storage';
import { RESET_PATH, SEND_VERIFICATION_PATH } from '../domain/account-paths.ts';
import { AuthServerError } from '../errors.ts';
import { clearSignInFailures } from '../limits/clear-sign-in-failures.ts';
import { resetMail, verificationMail } from '../mail/account-mails.ts';
import type { Mail, Mailer } from '../mail/mailer.ts';
import type { Logger } from '../observability/logger.ts';
import { artifactDigest } from '../secrets/artifact-secrets.ts';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../secrets/password.ts';
import { type PublicUser, toPublicUser as toPublic, validatePassword } from './users-service.ts';

/** How long a password-reset link works. */
const RESET_LINK_SECONDS = 30 * 60;
/** How long an e-mail verification link works. */
const VERIFICATION_LINK_SECONDS = 24 * 60 * 60;

/** What the account security service needs. */
export interface AccountSecurityDeps {
  db: Database;
  /** Undefined: mail is off (`serve` without PORTCULLIS_SMTP_URL). */
  mailer: Mailer | undefined;
  /** The links' origin and path prefix. */
  issuer: string;
  logger: Logger;
  /** The servers' key-encryption key: a reset lifts the account's sign-in lockout, kept under it. */
  keySecret: Buffer;
}

/** Who asks, for the audit trail: the browser's address. */
interface From {
  address: string;
}

/**
 * What a user does for their own account without an operator: password reset by mailed link,
 * e-mail verification by mailed link, password change. Links carry 256 random bits and are
 * stored only as their SHA-256 digest, single use, expiring (reset: 30 minutes; verification:
 * 24 hours). Mail is sent after the answer is decided and never awaited by it, so the answer and
 * its timing do not depend on whether an address is known or the SMTP server is up; a mail that
 * cannot be sent is logged without its link. Every action is audited in the transaction of its
 * change.
 *
 * @example
 * const security = createAccountSecurityService({ db, mailer, issuer, logger });
 * await security.requestPasswordReset('alice@example.com', { address: ctx.ip });
 */
export function createAccountSecurityService(deps: AccountSecurityDeps) {
  const { db, mailer, logger } = deps;
  const users = createUsersRepository(db);
  const tokens = createUserTokensRepository(db);
  const audit = (trx: Database, event: NewAuditEvent) => createAuditRepository(trx).record(event);
  // An event of the user's own doing, naming them.
  const byUser = (
    trx: Database,
    type: NewAuditEvent['type'],
    user: UserRecord,
    from: From,
    details: Record<string, unknown> = {},
  ) =>
    audit(trx, {
      type,
      actor: `user:${user.id}`,
      subject: user.id,
      address: from.address,
      details: { username: user.username, ...details },
    });

  // A new link for `user`: its secret goes into the mail only.
  const issueLink = async (
    trx: Database,
    user: UserRecord,
    purpose: UserTokenPurpose,
    email: string,
  ) => {
    const secret = randomBytes(32).toString('base64url');
    const seconds = purpose === 'password_reset' ? RESET_LINK_SECONDS : VERIFICATION_LINK_SECONDS;
    await createUserTokensRepository(trx).create({
      digest: artifactDigest(secret),
      userId: user.id,
      purpose,
      email,
      expiresAt: new Date(Date.now() + seconds * 1000),
    });
    const path = purpose === 'password_reset' ? RESET_PATH : `${SEND_VERIFICATION_PATH}/`;
    return `${deps.issuer}${path}${secret}`;
  };

  // Hands the mail over in the background: the page's answer never waits for it.
  const sendLater = (mail: Mail, purpose: UserTokenPurpose, userId: string) => {
    if (!mailer) return;
    mailer.send(mail).then(
      () => logger.info('mail sent', { purpose, sub: userId }),
      (error: unknown) =>
        logger.warn('could not send a mail', {
          purpose,
          sub: userId,
          error: error instanceof Error ? error.message : 'failed',
        }),
    );
  };

  const usableLink = async (secret: string, purpose: UserTokenPurpose) => {
    if (!/^[A-Za-z0-9_-]{43}$/.test(secret)) return undefined;
    const link = await tokens.findUsable(artifactDigest(secret), purpose);
    const user = link ? await users.findById(link.userId) : undefined;
    return link && user && !user.disabledAt ? { link, user } : undefined;
  };

  const linkInvalid = () =>
    new AuthServerError(
      'not_found',
      'this link is not valid: it was used, it expired, or it is wrong',
    );

  return {
    /** Whether links can be mailed at all. */
    mailEnabled: mailer !== undefined,

    /**
     * Mails a reset link to every enabled user with this address (any case). Answers the same,
     * and about as fast, for an unknown address: nothing is sent, and the trail records the
     * request without the address typed.
     */
    async requestPasswordReset(email: string, from: From): Promise<void> {
      const typed = email.trim();
      const found =
        typed.length > 0 && typed.length <= 254 ? await users.findEnabledByEmail(typed) : [];
      if (found.length === 0) {
        await audit(db, {
          type: 'password.reset_requested',
          actor: 'anonymous',
          address: from.address,
          details: { unknown_address: true },
        });
        return;
      }
      for (const user of found) {
        const address = user.email as string;
        const link = await db.transaction(async (trx) => {
          const url = await issueLink(trx, user, 'password_reset', address);
          await audit(trx, {
            type: 'password.reset_requested',
            actor: 'anonymous',
            subject: user.id,
            address: from.address,
            details: { username: user.username },
          });
          return url;
        });
        sendLater(resetMail(address, user.username, link), 'password_reset', user.id);
      }
    },

    /** The user a reset link is for, while it is usable; undefined otherwise. */
    async findPasswordReset(secret: string): Promise<PublicUser | undefined> {
      const found = await usableLink(secret, 'password_reset');
      return found ? toPublic(found.user) : undefined;
    },

    /**
     * Sets the new password of a reset link's user (validated like `users create`), uses the
     * link and every other reset link of the user, lifts the account's sign-in lockout (the
     * per-username counter; address counters stay), and with `endSignIns` ends their sessions,
     * codes and tokens (grants stay). `not_found` for a link that is not usable; `invalid_input`
     * for a password the policy refuses (the link stays usable).
     */
    async resetPassword(
      secret: string,
      password: string,
      options: From & { endSignIns: boolean },
    ): Promise<PublicUser> {
      const found = await usableLink(secret, 'password_reset');
      if (!found) throw linkInvalid();
      validatePassword(password, found.user.username);
      const hash = await hashPassword(password);
      return db.transaction(async (trx) => {
        const linkTokens = createUserTokensRepository(trx);
        const used = await linkTokens.consume(artifactDigest(secret), 'password_reset');
        if (!used) throw linkInvalid();
        const trxUsers = createUsersRepository(trx);
        if (!(await trxUsers.setPasswordHash(found.user.id, hash))) throw linkInvalid();
        await linkTokens.consumeAllOf(found.user.id, 'password_reset');
        // Whoever reads the account's mail may sign in again at once: a lockout that someone
        // guessing caused does not outlast the owner's reset.
        await clearSignInFailures(trx, deps.keySecret, found.user.username);
        const ended = options.endSignIns
          ? await trxUsers.endSignIns(found.user.id, { refreshTokens: true })
          : 0;
        await byUser(trx, 'password.reset', found.user, options, {
          sign_ins_ended: options.endSignIns,
          ended,
        });
        return toPublic(found.user);
      });
    },

    /**
     * Mails a verification link to the user's address. `invalid_input` when the user has no
     * address or it is verified already, or mail is off.
     */
    async sendEmailVerification(userId: string, from: From): Promise<string> {
      const user = await users.findById(userId);
      if (!user || user.disabledAt) throw new AuthServerError('not_found', 'no such user');
      if (!mailer) throw new AuthServerError('invalid_input', 'mail is off on this server');
      if (!user.email) throw new AuthServerError('invalid_input', 'the account has no address');
      if (user.emailVerified) {
        throw new AuthServerError('invalid_input', 'the address is verified already');
      }
      const email = user.email;
      const link = await db.transaction(async (trx) => {
        const url = await issueLink(trx, user, 'email_verification', email);
        await byUser(trx, 'email.verification_sent', user, from);
        return url;
      });
      sendLater(verificationMail(email, user.username, link), 'email_verification', user.id);
      return email;
    },

    /** The address a verification link would verify, while it is usable; undefined otherwise. */
    async findEmailVerification(secret: string): Promise<string | undefined> {
      return (await usableLink(secret, 'email_verification'))?.link.email;
    },

    /**
     * Uses a verification link: the address it was sent to becomes verified, if it is still the
     * user's. `not_found` for a link that is not usable or an address since replaced.
     */
    async verifyEmail(secret: string, from: From): Promise<PublicUser> {
      return db.transaction(async (trx) => {
        const used = await createUserTokensRepository(trx).consume(
          artifactDigest(secret),
          'email_verification',
        );
        const trxUsers = createUsersRepository(trx);
        if (!used || !(await trxUsers.markEmailVerified(used.userId, used.email))) {
          throw linkInvalid();
        }
        const user = (await trxUsers.findById(used.userId)) as UserRecord;
        await byUser(trx, 'email.verified', user, from);
        return toPublic(user);
      });
    },

    /**
     * Changes the password of a signed-in user who typed the current one, and ends their other
     * sessions (all but `keepSession`, a stored session's digest). Undefined when the current
     * password is wrong (recorded as `password.change_failed`); `invalid_input` for a new
     * password the policy refuses.
     */
    async changePassword(
      userId: string,
      passwords: { current: string; next: string },
      options: From & { keepSession: string },
    ): Promise<{ user: PublicUser; sessionsEnded: number } | undefined> {
      const user = await users.findById(userId);
      if (!user || user.disabledAt) {
        await verifyAgainstDummy(passwords.current);
        return undefined;
      }
      if (!(await verifyPassword(passwords.current, user.passwordHash))) {
        await byUser(db, 'password.change_failed', user, options);
        return undefined;
      }
      validatePassword(passwords.next, user.username);
      const hash = await hashPassword(passwords.next);
      return db.transaction(async (trx) => {
        const trxUsers = createUsersRepository(trx);
        // Only over the hash just checked: a concurrent change or reset wins.
        if (!(await trxUsers.setPasswordHash(user.id, hash, { ifCurrent: user.passwordHash }))) {
          return undefined;
        }
        const sessionsEnded = await trxUsers.endSignIns(user.id, {
          keepSession: options.keepSession,
          refreshTokens: false,
        });
        await byUser(trx, 'password.changed', user, options, {
          other_sessions_ended: sessionsEnded,
        });
        return { user: toPublic(user), sessionsEnded };
      });
    },
  };
}

/** The service {@link createAccountSecurityService} returns. */
export type AccountSecurityService = ReturnType<typeof createAccountSecurityService>;
