import { randomBytes } from 'node:crypto';
import {
  createAuditRepository,
  createSignupLinksRepository,
  createUsersRepository,
  type Database,
  type SignupLinkKind,
} from '@portcullis/storage';
import { SIGNUP_COMPLETE_PATH } from '../domain/account-paths.ts';
import { formatDuration, parseDuration } from '../domain/duration.ts';
import { AuthServerError } from '../errors.ts';
import { existingAccountMail, invitationMail, signupMail } from '../mail/account-mails.ts';
import type { Mail, Mailer } from '../mail/mailer.ts';
import type { Logger } from '../observability/logger.ts';
import { artifactDigest } from '../secrets/artifact-secrets.ts';
import { actorOf, type ChangeOptions } from './change-options.ts';
import { createUsersService, type PublicUser, validateEmail } from './users-service.ts';
import { invalidInput } from './validation.ts';

/** How long an invitation works: 7 days unless `users invite --expires` says 1h to 30d. */
const INVITATION_SECONDS = { default: 7 * 86_400, min: 3600, max: 30 * 86_400 };

// Seconds an invitation works: `--expires` as a duration (7d, 12h) within the bounds.
function invitationSeconds(value: string | undefined): number {
  if (value === undefined) return INVITATION_SECONDS.default;
  const seconds = parseDuration(value);
  const { min, max } = INVITATION_SECONDS;
  if (seconds === undefined || seconds < min || seconds > max) {
    invalidInput(
      `--expires must be a duration from ${formatDuration(min)} to ${formatDuration(max)} (like 7d or 12h), got "${value}"`,
      { field: 'expires' },
    );
  }
  return seconds;
}

/** How long an open sign-up's link works: 24 hours, like an e-mail verification. */
const SIGNUP_LINK_SECONDS = 24 * 60 * 60;

/** What the self-registration service needs. */
export interface SignupDeps {
  db: Database;
  /** The links' origin and path prefix. */
  issuer: string;
  /** Open sign-up's mail, sent in the background; undefined: mail is off (no open sign-up). */
  mailer?: Mailer | undefined;
  /** Where a mail that could not be sent is reported (never with its link). */
  logger?: Logger;
}

/** What a usable link's page shows: the address the account will have. */
export interface UsableSignupLink {
  kind: SignupLinkKind;
  email: string;
}

/**
 * Self-registration (PORTCULLIS_SIGNUP): invitations an operator mails and, with open sign-up,
 * links a visitor asks for their own address. Either is a single-use link (256 random bits in the mail, the SHA-256
 * digest in `signup_links`) to a page that creates the account at the address the link went to,
 * with that address verified: no account exists before its address is proven, so an unverified
 * sign-up never signs in. Each action is audited in the transaction of its change.
 *
 * @example
 * const signup = createSignupService({ db, issuer });
 * const { link } = await signup.invite('carol@example.com', { actor: 'cli:bob', send });
 */
export function createSignupService(deps: SignupDeps) {
  const { db } = deps;
  const links = createSignupLinksRepository(db);

  // A new link: its secret goes into the mail only.
  const issueLink = async (
    trx: Database,
    link: { kind: SignupLinkKind; email: string; createdBy: string; seconds: number },
  ) => {
    const secret = randomBytes(32).toString('base64url');
    await createSignupLinksRepository(trx).create({
      digest: artifactDigest(secret),
      kind: link.kind,
      email: link.email,
      createdBy: link.createdBy,
      expiresAt: new Date(Date.now() + link.seconds * 1000),
    });
    return `${deps.issuer}${SIGNUP_COMPLETE_PATH}${secret}`;
  };

  const usable = async (secret: string) =>
    /^[A-Za-z0-9_-]{43}$/.test(secret) ? links.findUsable(artifactDigest(secret)) : undefined;

  const linkInvalid = () =>
    new AuthServerError(
      'not_found',
      'this link is not valid: it was used, it expired, or it is wrong',
    );

  // Hands open sign-up's mail over in the background: the page's answer never waits for it.
  const sendLater = (mail: Mail) => {
    deps.mailer?.send(mail).then(
      () => deps.logger?.info('mail sent', { purpose: 'signup' }),
      (error: unknown) =>
        deps.logger?.warn('could not send a mail', {
          purpose: 'signup',
          error: error instanceof Error ? error.message : 'failed',
        }),
    );
  };

  return {
    /**
     * Open sign-up: mails a link to create an account at `email`, or, when an enabled user has
     * that address already, a mail saying so; the caller's answer is the same either way (and
     * the mail leaves after it). `invalid_input` for an address that is not one, or mail off.
     * `signup.requested` records the address and whether it had an account.
     */
    async requestSignup(email: string, from: { address: string }): Promise<void> {
      const address = validateEmail(email);
      if (!deps.mailer) throw new AuthServerError('invalid_input', 'mail is off on this server');
      const existing = await createUsersRepository(db).findEnabledByEmail(address);
      const link = await db.transaction(async (trx) => {
        await createAuditRepository(trx).record({
          type: 'signup.requested',
          actor: 'anonymous',
          address: from.address,
          details: { email: address, existing_account: existing.length > 0 },
        });
        if (existing.length > 0) return undefined;
        return issueLink(trx, {
          kind: 'signup',
          email: address,
          createdBy: 'anonymous',
          seconds: SIGNUP_LINK_SECONDS,
        });
      });
      // In the language of the request (mail/account-mails.ts).
      sendLater(
        link === undefined ? existingAccountMail(address, deps.issuer) : signupMail(address, link),
      );
    },

    /**
     * Creates an invitation for `email` and hands its mail to `send` inside the transaction: an
     * invitation exists exactly when its mail was accepted. `invalid_input` for a bad address or
     * one an enabled user has already; `user.invited` names the address, never the link.
     */
    async invite(
      email: string,
      options: ChangeOptions & { expires?: string; send: (mail: Mail) => Promise<void> },
    ): Promise<{ email: string; expiresAt: Date }> {
      const address = validateEmail(email);
      const seconds = invitationSeconds(options.expires);
      const taken = await createUsersRepository(db).findEnabledByEmail(address);
      if (taken.length > 0) {
        invalidInput(`${address} is the address of user "${taken[0]?.username}" already`, {
          field: 'email',
        });
      }
      const actor = actorOf(options);
      return db.transaction(async (trx) => {
        const link = await issueLink(trx, {
          kind: 'invitation',
          email: address,
          createdBy: actor,
          seconds,
        });
        const expiresAt = new Date(Date.now() + seconds * 1000);
        await createAuditRepository(trx).record({
          type: 'user.invited',
          actor,
          details: { email: address, expires_at: expiresAt.toISOString() },
        });
        await options.send(invitationMail(address, link, expiresAt));
        return { email: address, expiresAt };
      });
    },

    /** The kind and address of a usable link; undefined for one used, expired or wrong. */
    async findLink(secret: string): Promise<UsableSignupLink | undefined> {
      const link = await usable(secret);
      return link ? { kind: link.kind, email: link.email } : undefined;
    },

    /**
     * Creates the account of a usable link: the username and password validated like `users
     * create`, the link's address, verified. `not_found` for a link that is not usable (also
     * when another use won), `invalid_input` or `conflict` (a taken username) with the link kept.
     */
    async complete(
      secret: string,
      input: { username: string; password: string },
      from: { address: string },
    ): Promise<PublicUser> {
      const link = await usable(secret);
      if (!link) throw linkInvalid();
      // Two links for one address (or an operator's account since): one account per address.
      if ((await createUsersRepository(db).findEnabledByEmail(link.email)).length > 0) {
        invalidInput(
          `an account with the address ${link.email} exists already: sign in, or use "Forgot your password?"`,
          { field: 'email' },
        );
      }
      return db.transaction(async (trx) => {
        const actor = 'anonymous';
        const created = await createUsersService(trx).create(
          { username: input.username, password: input.password, email: link.email },
          { actor },
        );
        const used = await createSignupLinksRepository(trx).consume(link.digest, created.id);
        if (!used) throw linkInvalid();
        await createUsersRepository(trx).markEmailVerified(created.id, link.email);
        await createAuditRepository(trx).record({
          type: 'signup.completed',
          actor: `user:${created.id}`,
          subject: created.id,
          address: from.address,
          details: { username: created.username, via: link.kind, email: link.email },
        });
        return { ...created, emailVerified: true };
      });
    },
  };
}

/** The service {@link createSignupService} returns. */
export type SignupService = ReturnType<typeof createSignupService>;
