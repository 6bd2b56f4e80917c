import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import {
  HttpBrowser,
  linkIn,
  type SmtpReceiver,
  type Stack,
  startSmtpReceiver,
  startStack,
  submitForm,
} from '../src/index.ts';

// Reset requests count against the sign-in limits (per address typed, per browser address), and
// a reset lifts the account's sign-in lockout.
const OLD = 'the-first-password';
const NEW = 'a-brand-new-password';

let database: TestDatabase;
let smtp: SmtpReceiver;
let stack: Stack;

test.before(async () => {
  database = await createTestDatabase();
  smtp = await startSmtpReceiver();
  stack = await startStack(database.db, database.url, {
    PORTCULLIS_SMTP_URL: smtp.url,
    PORTCULLIS_LIMIT_SIGNIN: '2/15m',
  });
  for (const name of ['nia', 'omar']) {
    await stack.cli(
      [
        'users',
        'create',
        '--username',
        name,
        '--password-stdin',
        '--email',
        `${name}@example.test`,
      ],
      `${OLD}\n`,
    );
  }
});
test.after.always(async () => {
  await stack?.stop();
  await smtp?.stop();
  await database?.drop();
});

async function requestReset(email: string) {
  const browser = new HttpBrowser(stack.issuer);
  const form = await browser.follow(`${stack.issuer}/account/password/forgot`);
  const { next } = await submitForm(browser, form, { email });
  return { status: next.response.status, page: await next.response.text() };
}

async function signIn(browser: HttpBrowser, username: string, password: string) {
  const login = await browser.follow(`${stack.issuer}/account`);
  const { next } = await submitForm(browser, login, { username, password });
  return (await next.response.text()).includes('Apps with access to your account');
}

test.serial('past the per-address limit a request sends nothing, with the same page', async (t) => {
  const first = await requestReset('nia@example.test');
  await requestReset('nia@example.test');
  const locked = await requestReset('nia@example.test');
  t.is(locked.status, first.status);
  t.is(locked.page, first.page);
  await smtp.next('nia@example.test');
  await smtp.next('nia@example.test');
  // Another address is another key: its mail arrives, and by then the locked one would have too.
  await requestReset('omar@example.test');
  await smtp.next('omar@example.test');
  t.is(smtp.mails.filter((mail) => mail.to === 'nia@example.test').length, 2);
  const [hit] = await database.db('audit_events').where({ type: 'rate_limit.hit' });
  t.is(hit?.details.via, 'password-reset');
});

test.serial('a reset lifts the sign-in lockout of the account', async (t) => {
  for (let i = 0; i < 3; i += 1) {
    t.false(await signIn(new HttpBrowser(stack.issuer), 'omar', 'a-wrong-password'));
  }
  t.false(
    await signIn(new HttpBrowser(stack.issuer), 'omar', OLD),
    'locked: even the password fails',
  );
  const link = linkIn(smtp.mails.find((mail) => mail.to === 'omar@example.test')?.text ?? '');
  const browser = new HttpBrowser(stack.issuer);
  const form = await browser.follow(link);
  const done = await submitForm(browser, form, { new_password: NEW, confirm_password: NEW });
  t.is(done.next.response.status, 200);
  t.true(await signIn(new HttpBrowser(stack.issuer), 'omar', NEW), 'signed in at once');
});
