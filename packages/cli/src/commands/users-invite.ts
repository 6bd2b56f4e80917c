import { loadInviteConfig } from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { localOnly } from '../remote/local-only.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';

interface Options {
  expires: string;
  language: string;
  json?: boolean;
}

/** `portcullis users invite EMAIL [--expires 7d] [--language fr]`: mails a single-use sign-up link. */
export function registerUsersInvite(users: Command, io: Io): void {
  // The link is mailed by the CLI's own SMTP settings: there is no admin API operation for it.
  localOnly(users.command('invite'))
    .description(
      'mail a single-use link to a page where the invited person chooses a username and a password (needs PORTCULLIS_SIGNUP=invite or open, and PORTCULLIS_SMTP_URL)',
    )
    .argument('<email>', 'the address to invite: the new account has it, verified')
    .option('--expires <duration>', 'how long the link works (1h to 30d)', '7d')
    .option(
      '--language <tag>',
      "the mail's language: en, fr, or one of PORTCULLIS_MESSAGES_DIR (a primary tag)",
      'en',
    )
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Reads PORTCULLIS_ISSUER (the link's origin), PORTCULLIS_SIGNUP, PORTCULLIS_SMTP_URL,
PORTCULLIS_MAIL_FROM and PORTCULLIS_MESSAGES_DIR as the servers do. The link is mailed, never printed; the invitation exists
only if the SMTP server accepted the mail.

Example:
  $ portcullis users invite carol@example.com --expires 3d
  $ portcullis users invite chloe@example.com --language fr`,
    )
    .action(async (email: string, options: Options) => {
      const config = loadInviteConfig(io.env);
      const language = options.language.toLowerCase();
      if (!config.messages.has(language)) {
        throw new CliError(
          `no messages in the language "${options.language}": use ${[...config.messages.keys()].sort().join(', ')}`,
          2,
        );
      }
      if (config.signup === 'off') {
        throw new CliError(
          'sign-up is off: set PORTCULLIS_SIGNUP=invite (or open) here and on the servers',
          2,
        );
      }
      if (!config.mail.smtpUrl) {
        throw new CliError('mail is off: set PORTCULLIS_SMTP_URL to send invitations', 2);
      }
      const { createSignupService, createSmtpMailer, inLanguage } = await loadServices();
      const mailer = createSmtpMailer({ url: config.mail.smtpUrl, from: config.mail.from });
      const invited = await withDatabase(io, (db) =>
        inLanguage(language, config.messages, () =>
          createSignupService({ db, issuer: config.issuer }).invite(email, {
            actor: cliActor(io),
            expires: options.expires,
            send: (mail) =>
              mailer.send(mail).catch((error: unknown) => {
                const why = error instanceof Error ? error.message : 'failed';
                throw new CliError(`could not send the invitation (nothing stored): ${why}`, 1);
              }),
          }),
        ),
      );
      if (options.json) {
        return printJson(io, { email: invited.email, expires_at: invited.expiresAt.toISOString() });
      }
      printLines(io, [
        `invited ${invited.email}: the link works once, until ${invited.expiresAt.toISOString()}`,
      ]);
    });
}
