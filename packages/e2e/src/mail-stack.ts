import type { Logger } from '@portcullis/auth-server';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import { type SmtpReceiver, startSmtpReceiver } from './smtp-receiver.ts';
import { type Stack, startStack } from './stack.ts';

/** A test's own database, a real SMTP server, and the stack sending its mail there. */
export interface MailStack {
  database: TestDatabase;
  smtp: SmtpReceiver;
  stack: Stack;
  /** Stops the stack and the SMTP server and drops the database. */
  stop(): Promise<void>;
}

/**
 * Starts a stack whose mail goes to an SMTP server started here (PORTCULLIS_SMTP_URL), with more
 * settings in `env`.
 *
 * @example
 * const { stack, smtp, stop } = await startMailStack({ PORTCULLIS_SIGNUP: 'invite' });
 */
export async function startMailStack(
  env: Record<string, string> = {},
  options: { logger?: Logger } = {},
): Promise<MailStack> {
  const database = await createTestDatabase();
  const smtp = await startSmtpReceiver();
  const stack = await startStack(
    database.db,
    database.url,
    { PORTCULLIS_SMTP_URL: smtp.url, ...env },
    options,
  );
  return {
    database,
    smtp,
    stack,
    async stop() {
      await stack.stop();
      await smtp.stop();
      await database.drop();
    },
  };
}
