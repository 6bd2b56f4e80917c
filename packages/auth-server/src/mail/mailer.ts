import { createRequire } from 'node:module';
import type * as Nodemailer from 'nodemailer';

// nodemailer (about 40 modules) is loaded when an SMTP mailer is made, not with this module,
// which the CLI's commands reach through the services' entry whether they send mail or not.
const loadNodemailer = (): typeof Nodemailer =>
  createRequire(import.meta.url)('nodemailer') as typeof Nodemailer;

/** One plain-text message to one address. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends mail. Rejects when the message could not be handed over (the caller logs why). */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/** A mail `dev` kept instead of sending it. */
export interface KeptMail extends Mail {
  at: Date;
}

/** `dev`'s mailer without SMTP: mail printed and kept in memory for the /dev/mail page. */
export interface DevMailbox extends Mailer {
  /** The kept mails, newest first. */
  list(): readonly KeptMail[];
}

// Bounds what a hanging SMTP server can hold: a connection, its greeting and each exchange.
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

/**
 * Sends through the SMTP server of `url` (`smtp://` with STARTTLS when offered, `smtps://` with
 * TLS from the start; user and password in the URL), from `from`. The URL's credentials stay in
 * nodemailer's transport: nothing here logs them.
 *
 * @example
 * const mailer = createSmtpMailer({ url: 'smtps://user:pass@mail.example', from: 'no-reply@example.com' });
 * await mailer.send({ to: 'alice@example.com', subject: 'Hello', text: 'Hi' });
 */
export function createSmtpMailer(options: { url: string; from: string }): Mailer {
  const transport = loadNodemailer().createTransport(options.url, {
    ...SMTP_TIMEOUTS,
    from: options.from,
  });
  return {
    async send(mail) {
      await transport.sendMail({ to: mail.to, subject: mail.subject, text: mail.text });
    },
  };
}

const KEPT = 50;

/**
 * `dev`'s mailbox: each mail is handed to `print` (the terminal, so its link can be followed) and
 * kept in memory, the last 50, for the /dev/mail page. Nothing leaves the machine.
 *
 * @example
 * const mailbox = createDevMailbox((text) => logger.info(text));
 */
export function createDevMailbox(print: (mail: Mail) => void): DevMailbox {
  const kept: KeptMail[] = [];
  return {
    async send(mail) {
      print(mail);
      kept.unshift({ ...mail, at: new Date() });
      kept.length = Math.min(kept.length, KEPT);
    },
    list: () => kept,
  };
}
