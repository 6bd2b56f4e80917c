import { DEFAULT_BRAND } from '../views/brand.ts';
import { type Catalogue, currentLanguage, t } from '../views/i18n.ts';
import { withPageContext } from '../views/page-context.ts';
import type { Mail } from './mailer.ts';

/**
 * The mails Portcullis sends, in the language of the request that caused them: catalogue
 * messages (`mail.*`, views/messages), so they follow Accept-Language like the pages, and a
 * team's PORTCULLIS_MESSAGES_DIR can reword them. Composed while the request is answered (the
 * page context of views/page-context.ts); outside of one (the CLI) see {@link inLanguage}.
 * Plain text: nothing is escaped, and the link stays on a line of its own.
 */

/** The password-reset mail of `username`. */
export function resetMail(to: string, username: string, link: string): Mail {
  return { to, subject: t('mail.reset_subject'), text: t('mail.reset', { username, link }) };
}

/** The mail confirming that `to` is the address of `username`. */
export function verificationMail(to: string, username: string, link: string): Mail {
  return {
    to,
    subject: t('mail.verify_subject'),
    text: t('mail.verify', { address: to, username, link }),
  };
}

/** An operator's invitation, working until `expiresAt` (written out in the mail's language, UTC). */
export function invitationMail(to: string, link: string, expiresAt: Date): Mail {
  const expires = `${new Intl.DateTimeFormat(currentLanguage(), {
    dateStyle: 'full',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(expiresAt)} UTC`;
  return {
    to,
    subject: t('mail.invite_subject'),
    text: t('mail.invite', { address: to, link, expires }),
  };
}

/** Open sign-up's link to create an account at `to`. */
export function signupMail(to: string, link: string): Mail {
  return { to, subject: t('mail.signup_subject'), text: t('mail.signup', { address: to, link }) };
}

/** Open sign-up's answer to an address that has an account: sign in at `issuer`/account. */
export function existingAccountMail(to: string, issuer: string): Mail {
  return {
    to,
    subject: t('mail.existing_subject'),
    text: t('mail.existing', { address: to, account: `${issuer}/account` }),
  };
}

/**
 * Runs `compose` (and what it awaits) with the mails in `language` (a primary tag of
 * `catalogue`, English when it has none): for mails that no request causes, like the CLI's
 * invitations (`users invite --language fr`).
 *
 * @example
 * await inLanguage('fr', loadCatalogue(env.PORTCULLIS_MESSAGES_DIR), () => signup.invite(email, options));
 */
export function inLanguage<T>(language: string, catalogue: Catalogue, compose: () => T): T {
  return withPageContext({ brand: DEFAULT_BRAND, catalogue, acceptLanguage: language }, compose);
}
