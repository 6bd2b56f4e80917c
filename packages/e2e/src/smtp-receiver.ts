import { freePort } from '@portcullis/storage/testing';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail the receiver got, parsed. */
export interface ReceivedMail {
  to: string;
  from: string;
  subject: string;
  text: string;
}

/** A real SMTP server on loopback that keeps what it receives. */
export interface SmtpReceiver {
  /** `smtp://user:password@127.0.0.1:port`: what PORTCULLIS_SMTP_URL gets. */
  url: string;
  /** The password in {@link url}, for tests that look for it where it must not be. */
  password: string;
  /** Every mail received so far, oldest first. */
  mails: ReceivedMail[];
  /** Waits for the next mail to `to` not taken yet, and takes it. */
  next(to: string): Promise<ReceivedMail>;
  stop(): Promise<void>;
}

/**
 * Starts an SMTP server (smtp-server) that requires the user and password of its URL (plain
 * AUTH, no TLS: loopback only) and parses every message it accepts (mailparser).
 *
 * @example
 * const smtp = await startSmtpReceiver();
 * const stack = await startStack(db, url, { PORTCULLIS_SMTP_URL: smtp.url });
 * const mail = await smtp.next('alice@example.com');
 */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const password = 'smtp-secret-password';
  const mails: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'portcullis' && auth.password === password) {
        return callback(null, { user: auth.username });
      }
      return callback(new Error('invalid credentials'));
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
          mails.push({
            to: to?.value[0]?.address ?? '',
            from: parsed.from?.text ?? '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://portcullis:${password}@127.0.0.1:${port}`,
    password,
    mails,
    async next(to) {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const mail = mails.find((m) => m.to === to && !taken.has(m));
        if (mail) {
          taken.add(mail);
          return mail;
        }
        if (Date.now() > deadline) throw new Error(`no mail to ${to} arrived`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first link in a mail's text. */
export function linkIn(text: string): string {
  const link = /https?:\/\/\S+/.exec(text)?.[0];
  if (!link) throw new Error('the mail has no link');
  return link;
}
