import { randomBytes } from 'node:crypto';
import { createAuthServer, loadServerConfig, silentLogger } from '@portcullis/auth-server';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test, { type ExecutionContext } from 'ava';
import {
  capturedLog,
  HttpBrowser,
  linkHref,
  linkIn,
  startStack,
  submitForm,
  until,
} from '../src/index.ts';

// Each test runs a server of its own, with its own keys: each gets its own database.
async function freshDatabase(t: ExecutionContext): Promise<TestDatabase> {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  return database;
}

async function requestReset(issuer: string, email: string) {
  const browser = new HttpBrowser(issuer);
  const form = await browser.follow(`${issuer}/account/password/forgot`);
  const { next } = await submitForm(browser, form, { email });
  return { status: next.response.status, page: await next.response.text() };
}

test('SMTP down: the same answer, and the failure logged without the link or the SMTP password', async (t) => {
  const database = await freshDatabase(t);
  const log = capturedLog();
  const closed = await freePort();
  const stack = await startStack(
    database.db,
    database.url,
    { PORTCULLIS_SMTP_URL: `smtp://mailer:smtp-pass-hunter22@127.0.0.1:${closed}` },
    { logger: log.logger },
  );
  t.teardown(() => stack.stop());
  await stack.cli(
    ['users', 'create', '--username', 'kim', '--password-stdin', '--email', 'kim@example.test'],
    'a-long-password\n',
  );
  const known = await requestReset(stack.issuer, 'kim@example.test');
  const unknown = await requestReset(stack.issuer, 'nobody@example.test');
  t.is(known.status, 200);
  t.is(known.page, unknown.page);
  await until('the failure is logged', () => log.text().includes('could not send a mail'));
  const [line] = log.lines().filter((l) => l.message === 'could not send a mail');
  t.is(line?.purpose, 'password_reset');
  t.false(log.text().includes('/account/password/reset/'), 'no link in the log');
  t.false(log.text().includes('smtp-pass-hunter22'), 'no SMTP password in the log');
});

test('dev without SMTP prints the mail with its link and keeps it for /dev/mail', async (t) => {
  const database = await freshDatabase(t);
  const log = capturedLog();
  const stack = await startStack(database.db, database.url, {}, { logger: log.logger });
  t.teardown(() => stack.stop());
  await stack.cli(
    ['users', 'create', '--username', 'lee', '--password-stdin', '--email', 'lee@example.test'],
    'a-long-password\n',
  );
  await requestReset(stack.issuer, 'lee@example.test');
  await until('the mail is printed', () => log.text().includes('mail not sent (dev)'));
  const printed = log.lines().find((l) => String(l.message).startsWith('mail not sent (dev)'));
  const link = linkIn(String(printed?.message));
  t.true(link.startsWith(`${stack.issuer}/account/password/reset/`));

  const browser = new HttpBrowser(stack.issuer);
  const kept = await browser.follow(`${stack.issuer}/dev/mail`);
  const page = await kept.response.text();
  t.is(kept.response.status, 200);
  t.is(linkHref(page, /account\/password\/reset/), link);
  t.is((await browser.follow(link)).response.status, 200, 'the printed link works');
});

test('serve without SMTP: mail is off, no reset link, no /dev/mail', async (t) => {
  const database = await freshDatabase(t);
  const port = await freePort();
  const server = await createAuthServer({
    db: database.db,
    databaseUrl: database.url,
    config: loadServerConfig(
      {
        PORTCULLIS_PORT: String(port),
        PORTCULLIS_ISSUER: `http://127.0.0.1:${port}`,
        PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
        PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
      },
      { mode: 'production' },
    ),
    logger: silentLogger,
  });
  const { server: listening } = await server.listen();
  t.teardown(async () => {
    listening.close();
    await server.close();
  });
  const issuer = `http://127.0.0.1:${port}`;
  const browser = new HttpBrowser(issuer);
  const login = await (await browser.follow(`${issuer}/account`)).response.text();
  t.regex(login, /name="password"/);
  t.false(login.includes('Forgot your password?'));
  t.is((await browser.follow(`${issuer}/account/password/forgot`)).response.status, 404);
  t.is((await browser.follow(`${issuer}/dev/mail`)).response.status, 404);
});
